package demo

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Delivery in demo mode writes what would be sent into the outbox folder (Fleet.OutboxDir) instead of the
// network, so a user can see exactly what kida would upload and send:
//
//	outbox/s3/<bucket>/<key>            the "uploaded" object, byte for byte
//	outbox/s3/<bucket>/<key>.put.json   the PutObject parameters (content type, encryption, …)
//	outbox/email/<stamp>-<hash>.eml     the SES message as MIME (multipart/alternative: text + HTML)
//	outbox/slack/workflow-<cluster>.json, outbox/slack/incoming.json   the webhook bodies
//	outbox/sns/<stamp>-<hash>.json      the SNS Publish parameters
//
// Presigned URLs are file:// URLs of the outbox object, carrying X-Amz-Expires with the effective expiry and
// X-Kida-Demo so nobody mistakes them for real links.

type deliveryAPI struct {
	f      *Fleet
	region string
}

// S3 implements awsclient.Clients.
func (f *Fleet) S3(region string) awsclient.S3API { return &deliveryAPI{f: f, region: region} }

// S3Presign implements awsclient.Clients.
func (f *Fleet) S3Presign(region string) awsclient.S3PresignAPI {
	return &deliveryAPI{f: f, region: region}
}

// SES implements awsclient.Clients.
func (f *Fleet) SES(region string) awsclient.SESAPI { return &deliveryAPI{f: f, region: region} }

// SNS implements awsclient.Clients.
func (f *Fleet) SNS(region string) awsclient.SNSAPI { return &deliveryAPI{f: f, region: region} }

// HTTPClient returns the client the demo's Slack webhooks use: it writes each request body to the outbox
// and answers 200 "ok" without dialling anything.
func (f *Fleet) HTTPClient() *http.Client { return &http.Client{Transport: outboxTransport{f: f}} }

// outboxPath joins OutboxDir and parts, refusing anything that would leave the outbox.
func (f *Fleet) outboxPath(parts ...string) (string, error) {
	if f.OutboxDir == "" {
		return "", errors.New("demo outbox directory is not set")
	}
	for _, p := range parts {
		for _, seg := range strings.Split(p, "/") {
			if seg == ".." || strings.ContainsRune(seg, '\\') {
				return "", fmt.Errorf("demo outbox: unsafe path segment %q", seg)
			}
		}
	}
	p := filepath.Join(append([]string{f.OutboxDir}, parts...)...)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	return p, nil
}

func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func demoAPIError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

func (d *deliveryAPI) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	bucket, key := aws.ToString(in.Bucket), aws.ToString(in.Key)
	if bucket == "" || key == "" || strings.HasPrefix(key, "/") {
		return nil, demoAPIError("InvalidRequest", "bucket and key are required")
	}
	var body []byte
	if in.Body != nil {
		var err error
		if body, err = io.ReadAll(in.Body); err != nil {
			return nil, err
		}
	}
	p, err := d.f.outboxPath("s3", bucket, key)
	if err != nil {
		return nil, err
	}
	if err := writeFile(p, body); err != nil {
		return nil, err
	}
	meta := map[string]any{
		"Bucket": bucket, "Key": key, "Region": d.region, "ContentLength": len(body),
		"ContentType": aws.ToString(in.ContentType), "ContentDisposition": aws.ToString(in.ContentDisposition),
		"CacheControl": aws.ToString(in.CacheControl), "ServerSideEncryption": string(in.ServerSideEncryption),
		"SSEKMSKeyId": aws.ToString(in.SSEKMSKeyId),
	}
	mb, _ := json.MarshalIndent(meta, "", "  ")
	if err := writeFile(p+".put.json", append(mb, '\n')); err != nil {
		return nil, err
	}
	sum := md5.Sum(body)
	return &s3.PutObjectOutput{ETag: aws.String(`"` + hex.EncodeToString(sum[:]) + `"`), ServerSideEncryption: in.ServerSideEncryption}, nil
}

func (d *deliveryAPI) PresignGetObject(_ context.Context, in *s3.GetObjectInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	var po s3.PresignOptions
	for _, o := range opts {
		o(&po)
	}
	exp := po.Expires
	if exp == 0 {
		exp = 900 * time.Second
	}
	if exp < 0 {
		return nil, errors.New("presign: negative expiry")
	}
	p, err := d.f.outboxPath("s3", aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(exp/time.Second), 10))
	q.Set("X-Kida-Demo", "not-a-real-link")
	u.RawQuery = q.Encode()
	return &v4.PresignedHTTPRequest{URL: u.String(), Method: http.MethodGet, SignedHeader: http.Header{}}, nil
}

func (d *deliveryAPI) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	from := aws.ToString(in.FromEmailAddress)
	if from == "" || in.Destination == nil || len(in.Destination.ToAddresses) == 0 {
		return nil, demoAPIError("BadRequestException", "FromEmailAddress and Destination.ToAddresses are required")
	}
	if in.Content == nil || in.Content.Simple == nil || in.Content.Simple.Subject == nil || in.Content.Simple.Body == nil {
		return nil, demoAPIError("BadRequestException", "the demo outbox takes Simple content only")
	}
	msg := in.Content.Simple
	var text, html string
	if msg.Body.Text != nil {
		text = aws.ToString(msg.Body.Text.Data)
	}
	if msg.Body.Html != nil {
		html = aws.ToString(msg.Body.Html.Data)
	}
	eml, err := buildEML(from, in.Destination.ToAddresses, aws.ToString(msg.Subject.Data), text, html, d.f.Now)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s.eml", d.f.Now.UTC().Format("20060102T1504Z"), shortHash(eml))
	p, err := d.f.outboxPath("email", name)
	if err != nil {
		return nil, err
	}
	if err := writeFile(p, eml); err != nil {
		return nil, err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String(p)}, nil
}

// buildEML writes the message SES would build from Simple content: multipart/alternative, text then HTML,
// quoted-printable, CRLF line ends.
func buildEML(from string, to []string, subject, text, html string, date time.Time) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ ct, s string }{{"text/plain; charset=utf-8", text}, {"text/html; charset=utf-8", html}} {
		if part.s == "" {
			continue
		}
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ct}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.s)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	hdr("Date", date.UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+shortHash(body.Bytes())+"@kida-demo.invalid>")
	hdr("MIME-Version", "1.0")
	hdr("X-Kida-Demo", "not sent: this is what SES would have received")
	hdr("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

func shortHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])[:10]
}

func (d *deliveryAPI) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	topic := aws.ToString(in.TopicArn)
	if topic == "" || aws.ToString(in.Message) == "" {
		return nil, demoAPIError("InvalidParameter", "TopicArn and Message are required")
	}
	if len(aws.ToString(in.Subject)) >= 100 {
		return nil, demoAPIError("InvalidParameter", "Subject must be less than 100 characters")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]string{"TopicArn": topic, "Region": d.region, "Subject": aws.ToString(in.Subject), "Message": aws.ToString(in.Message)}); err != nil {
		return nil, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	name := fmt.Sprintf("%s-%s.json", d.f.Now.UTC().Format("20060102T1504Z"), shortHash(b))
	p, err := d.f.outboxPath("sns", name)
	if err != nil {
		return nil, err
	}
	if err := writeFile(p, append(b, '\n')); err != nil {
		return nil, err
	}
	return &sns.PublishOutput{MessageId: aws.String(p)}, nil
}

// outboxTransport is the demo's Slack: it stores webhook bodies, never the URL, and answers 200 ok.
type outboxTransport struct{ f *Fleet }

func (t outboxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	kind, name := "incoming", "incoming"
	if strings.Contains(req.URL.Path, "/triggers/") {
		kind = "workflow"
		var p struct {
			Title string `json:"report_title"`
		}
		name = "workflow-" + shortHash(body)
		if json.Unmarshal(body, &p) == nil {
			if f := strings.Fields(p.Title); len(f) > 0 {
				name = "workflow-" + safeFile(f[0])
			}
		}
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(body)
	}
	pretty.WriteByte('\n')
	p, err := t.f.outboxPath("slack", name+".json")
	if err == nil {
		err = writeFile(p, pretty.Bytes())
	}
	if err != nil {
		return nil, fmt.Errorf("demo slack %s webhook: %w", kind, err)
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"text/plain"}},
		Body: io.NopCloser(strings.NewReader("ok")), Request: req, ProtoMajor: 1, ProtoMinor: 1}, nil
}

func safeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}
