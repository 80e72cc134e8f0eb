package delivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// maxUpload bounds a report upload (reports are ≤ 1 MB by design).
const maxUpload = 50 << 20

// Link is an uploaded report and its presigned GET URL.
type Link struct {
	URL        string    `json:"url" jsonschema_description:"Presigned GET URL of the report."`
	Bucket     string    `json:"bucket"`
	Key        string    `json:"key"`
	ExpiresAt  time.Time `json:"expires_at" jsonschema_description:"When the link stops working (UTC)."`
	ExpiresInS int64     `json:"expires_in_s" jsonschema_description:"Effective lifetime in seconds: min(configured expiry, 7 days, the signing credentials' remaining life)."`
	LimitedBy  string    `json:"limited_by" jsonschema:"enum=requested,enum=max_7d,enum=credentials" jsonschema_description:"What set the lifetime."`
	Note       string    `json:"note" jsonschema_description:"The lifetime in words, with the reason when it is shorter than configured."`
}

// ContentType returns the Content-Type for a report file extension; S3 needs text/html with a charset or
// browsers download the report instead of showing it.
func ContentType(ext string) string {
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "html", "htm":
		return "text/html; charset=utf-8"
	case "md", "markdown":
		return "text/markdown; charset=utf-8"
	case "json":
		return "application/json"
	}
	return ""
}

// Key is the object key of a cluster's report for a date: <prefix>reports/YYYYMMDD/<cluster>.<ext>. The
// same cluster and day always map to the same key, so a re-run overwrites.
func Key(prefix, cluster string, date time.Time, ext string) string {
	p := strings.TrimPrefix(prefix, "/")
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p + path.Join("reports", date.Format("20060102"), safeName(cluster)+"."+strings.TrimPrefix(ext, "."))
}

// safeName keeps a cluster id usable as one key/file segment.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return "report"
	}
	return out
}

// Upload puts the report file at file into the configured bucket under Key(…) with its content type and
// the configured server-side encryption, and returns the bucket and key.
func (d Deps) Upload(ctx context.Context, cluster, file string, date time.Time) (bucket, key string, err error) {
	cfg := d.Config.S3
	if cfg == nil {
		return "", "", tools.Errorf("no S3 bucket is configured (delivery.s3 in kida.yaml)")
	}
	ext := filepath.Ext(file)
	ct := ContentType(ext)
	if ct == "" {
		return "", "", tools.Errorf("report file %s is not .html, .md or .json", filepath.Base(file))
	}
	f, err := os.Open(file)
	if err != nil {
		return "", "", fmt.Errorf("read report %s: %w", file, err)
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return "", "", fmt.Errorf("read report %s: %w", file, err)
	}
	if len(body) > maxUpload {
		return "", "", tools.Errorf("report file %s is larger than %d MiB", filepath.Base(file), maxUpload>>20)
	}
	region := d.region(cfg.Region)
	key = Key(cfg.Prefix, cluster, date, ext)
	in := &s3.PutObjectInput{
		Bucket: aws.String(cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(ct),
		ContentDisposition: aws.String("inline"), CacheControl: aws.String("private, max-age=300"),
	}
	switch cfg.SSE {
	case SSEAES256:
		in.ServerSideEncryption = s3types.ServerSideEncryptionAes256
	case SSEKMS:
		in.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
		if cfg.KMSKeyID != "" {
			in.SSEKMSKeyId = aws.String(cfg.KMSKeyID)
		}
	}
	if _, err := d.Clients.S3(region).PutObject(ctx, in); err != nil {
		return "", "", awsclient.In(region, "s3://"+cfg.Bucket+"/"+key, err)
	}
	return cfg.Bucket, key, nil
}

// Presign returns a presigned GET URL for bucket/key with the effective expiry (EffectiveExpiry).
func (d Deps) Presign(ctx context.Context, bucket, key string) (Link, error) {
	cfg := d.Config.S3
	if cfg == nil {
		return Link{}, tools.Errorf("no S3 bucket is configured (delivery.s3 in kida.yaml)")
	}
	region := d.region(cfg.Region)
	now := d.Env.Clock()
	exp, err := EffectiveExpiry(ctx, d.Clients, cfg.Expiry, now)
	if err != nil {
		return Link{}, awsclient.In(region, "s3://"+bucket+"/"+key, err)
	}
	req, err := d.Clients.S3Presign(region).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		s3.WithPresignExpires(exp.Duration))
	if err != nil {
		return Link{}, awsclient.In(region, "s3://"+bucket+"/"+key, err)
	}
	return Link{URL: req.URL, Bucket: bucket, Key: key, ExpiresAt: exp.At.UTC(), ExpiresInS: int64(exp.Duration / time.Second),
		LimitedBy: exp.LimitedBy, Note: exp.Note(cfg.Expiry, d.loc())}, nil
}

// Publish uploads a report file and presigns it.
func (d Deps) Publish(ctx context.Context, cluster, file string, date time.Time) (Link, error) {
	bucket, key, err := d.Upload(ctx, cluster, file, date)
	if err != nil {
		return Link{}, err
	}
	return d.Presign(ctx, bucket, key)
}
