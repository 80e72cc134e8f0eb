package relay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/events"
)

// Archive is the S3 event archive. Every event is one JSON Lines object under
// <prefix>YYYY/MM/DD/<kind>-<HHMMSS>-<source>-<hash>.jsonl (UTC date and time of the event), written with
// If-None-Match: * so that the same event — by its content identity, Notification.ID — is stored once
// however often it is relayed and however many Lambda containers relay it at once. One object per event
// keeps writes atomic without read-modify-write on a shared daily file; the whole prefix reads as JSON
// Lines (Athena, `aws s3 cp --recursive`, jq).
type Archive struct {
	S3     awsclient.S3ObjectsAPI
	Bucket string
	Prefix string // "" → DefaultArchivePrefix
	Region string
	// Alarms also archives alarm transitions.
	Alarms bool
	// Version is written into records (kida-mcp/<version>).
	Version string
}

// Record is one archived event: one line of JSON.
type Record struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Time    string `json:"time"` // RFC 3339, UTC
	Region  string `json:"region,omitempty"`
	Account string `json:"account,omitempty"`
	Via     string `json:"via,omitempty"`
	// RDS events
	SourceType    string   `json:"source_type,omitempty"`
	SourceID      string   `json:"source_id,omitempty"`
	SourceARN     string   `json:"source_arn,omitempty"`
	Message       string   `json:"message,omitempty"`
	Categories    []string `json:"categories,omitempty"`
	EventID       string   `json:"event_id,omitempty"`
	Category      string   `json:"category,omitempty"` // kida's group
	EventBridgeID string   `json:"eventbridge_id,omitempty"`
	// Alarm transitions
	AlarmName string `json:"alarm_name,omitempty"`
	AlarmARN  string `json:"alarm_arn,omitempty"`
	State     string `json:"state,omitempty"`
	OldState  string `json:"old_state,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Metric    string `json:"metric,omitempty"`
	Resource  string `json:"resource,omitempty"`
	// Writer is the program that archived it.
	Writer string `json:"writer,omitempty"`
}

func (a *Archive) prefix() string {
	if a.Prefix == "" {
		return DefaultArchivePrefix
	}
	if !strings.HasSuffix(a.Prefix, "/") {
		return a.Prefix + "/"
	}
	return a.Prefix
}

// Location is s3://bucket/prefix.
func (a *Archive) Location() string { return "s3://" + a.Bucket + "/" + a.prefix() }

// Wants reports whether n is archived (RDS events always, alarms with Alarms).
func (a *Archive) Wants(n Notification) bool {
	return a != nil && (n.RDS != nil || (n.Alarm != nil && a.Alarms))
}

// RecordOf is the archive record of n.
func RecordOf(n Notification, version string) (Record, time.Time) {
	r := Record{ID: n.ID(), Kind: n.Kind, Via: n.Via, Writer: "kida-mcp/" + version}
	var at time.Time
	switch {
	case n.RDS != nil:
		e := n.RDS
		at = e.Time
		r.Region, r.Account, r.SourceType, r.SourceID, r.SourceARN = e.Region, e.Account, e.SourceType, e.SourceID, e.SourceARN
		r.Message, r.Categories, r.EventID, r.Category, r.EventBridgeID = e.Message, e.Categories, e.EventID, e.Group, e.EventBridgeID
	case n.Alarm != nil:
		al := n.Alarm
		at = al.Time
		r.Region, r.Account, r.AlarmName, r.AlarmARN, r.State, r.OldState, r.Reason = al.Region, al.AccountID, al.Name, al.ARN, al.State, al.OldState, al.Reason
		if t := al.Trigger; t != nil && t.MetricName != "" {
			r.Metric = t.Namespace + "/" + t.MetricName
		}
		if res := al.Resource(); res.ID != "" {
			r.Resource = res.ID
		}
	}
	r.Time = at.UTC().Format(time.RFC3339Nano)
	return r, at
}

// Key is the object key of n.
func (a *Archive) Key(n Notification) string {
	_, at := RecordOf(n, "")
	src := ""
	switch {
	case n.RDS != nil:
		src = n.RDS.SourceID
	case n.Alarm != nil:
		src = n.Alarm.Name
	}
	id := n.ID()
	id = id[strings.LastIndexByte(id, '-')+1:]
	at = at.UTC()
	return fmt.Sprintf("%s%s/%s-%s-%s-%s.jsonl", a.prefix(), at.Format("2006/01/02"), n.Kind, at.Format("150405"), keySafe(src), id)
}

// keySafe keeps letters, digits, '.', '_' and '-' of a source id (others become '_'), at most 100 bytes.
func keySafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 100 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// Put archives n. It reports written=false when the archive already held the event (HTTP 412 on the
// conditional write).
func (a *Archive) Put(ctx context.Context, n Notification) (key string, written bool, err error) {
	rec, _ := RecordOf(n, a.Version)
	line, err := json.Marshal(rec)
	if err != nil {
		return "", false, err
	}
	line = append(line, '\n')
	key = a.Key(n)
	_, err = a.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(a.Bucket), Key: aws.String(key), Body: bytes.NewReader(line),
		ContentType: aws.String("application/x-ndjson; charset=utf-8"), IfNoneMatch: aws.String("*"),
	})
	if err != nil {
		if alreadyThere(err) {
			return key, false, nil
		}
		return key, false, awsclient.In(a.region(), "s3://"+a.Bucket+"/"+key, err)
	}
	return key, true, nil
}

func (a *Archive) region() string { return a.Region }

// alreadyThere recognises the conditional write's refusals: 412 PreconditionFailed (the object exists) and
// 409 ConditionalRequestConflict (a concurrent write of the same key is under way).
func alreadyThere(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict") {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && (re.HTTPStatusCode() == http.StatusPreconditionFailed || re.HTTPStatusCode() == http.StatusConflict)
}

// Reader limits: keys listed per month and objects read per query.
const (
	maxListPages = 20 // × 1,000 keys per month
	maxReads     = 2000
	readWorkers  = 8
)

var _ events.Archive = (*Archive)(nil)

// ReadEvents lists the months of q's window (ListObjectsV2 per month prefix), keeps the RDS keys whose
// date and source match q, reads them (GetObject, a few at a time) and returns their events in q.Region.
func (a *Archive) ReadEvents(ctx context.Context, q events.ArchiveQuery) (events.ArchiveResult, error) {
	var res events.ArchiveResult
	start, end := q.Start.UTC().Truncate(time.Second), q.End.UTC()
	ids := map[string]bool{}
	for _, id := range q.IDs {
		ids[keySafe(id)] = true
	}
	mention := ""
	if q.Mentioning != "" {
		mention = keySafe(q.Mentioning)
	}
	var keys []string
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(a.Bucket), Prefix: aws.String(a.prefix() + m.Format("2006/01/"))}
		for page := 0; ; page++ {
			if page == maxListPages {
				res.Truncated = true
				res.Hints = append(res.Hints, fmt.Sprintf("the archive holds more than %d objects for %s; only the first were considered", maxListPages*1000, m.Format("2006-01")))
				break
			}
			out, err := a.S3.ListObjectsV2(ctx, in)
			res.Calls++
			if err != nil {
				return res, err
			}
			for _, o := range out.Contents {
				k := aws.ToString(o.Key)
				at, kind, src, ok := a.parseKey(k)
				if !ok || kind != KindRDS || at.Before(start) || at.After(end) {
					continue
				}
				if ids[src] || (mention != "" && strings.Contains(src, mention)) {
					keys = append(keys, k)
				}
			}
			if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
				break
			}
			in.ContinuationToken = out.NextContinuationToken
		}
	}
	if len(keys) > maxReads {
		res.Truncated = true
		res.Hints = append(res.Hints, fmt.Sprintf("%d archived events match; only the newest %d were read — narrow the window", len(keys), maxReads))
		keys = keys[len(keys)-maxReads:]
	}
	recs, calls, err := a.readAll(ctx, keys)
	res.Calls += calls
	if err != nil {
		return res, err
	}
	for _, r := range recs {
		if r.Kind != KindRDS || (q.Region != "" && r.Region != "" && r.Region != q.Region) {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, r.Time)
		if err != nil || at.Before(q.Start) || at.After(q.End) {
			continue
		}
		res.Events = append(res.Events, rdstypes.Event{
			Date: aws.Time(at.UTC()), SourceType: rdstypes.SourceType(r.SourceType), SourceIdentifier: aws.String(r.SourceID),
			SourceArn: aws.String(r.SourceARN), Message: aws.String(r.Message), EventCategories: r.Categories,
		})
	}
	return res, nil
}

// parseKey reads <prefix>YYYY/MM/DD/<kind>-<HHMMSS>-<source>-<hash>.jsonl.
func (a *Archive) parseKey(k string) (at time.Time, kind, src string, ok bool) {
	rest, found := strings.CutPrefix(k, a.prefix())
	if !found || len(rest) < len("2006/01/02/") {
		return at, "", "", false
	}
	day, name := rest[:10], rest[11:]
	name, found = strings.CutSuffix(name, ".jsonl")
	if !found {
		return at, "", "", false
	}
	kind, name, found = strings.Cut(name, "-")
	if !found || len(name) < 6+1+1+1+24 {
		return at, "", "", false
	}
	hhmmss := name[:6]
	src = name[7 : len(name)-25]
	t, err := time.Parse("2006/01/02 150405", day+" "+hhmmss)
	if err != nil {
		return at, "", "", false
	}
	return t, kind, src, true
}

// readAll reads the objects (a few at a time) and parses every JSON line.
func (a *Archive) readAll(ctx context.Context, keys []string) ([]Record, int, error) {
	type result struct {
		recs []Record
		err  error
	}
	out := make([]result, len(keys))
	sem := make(chan struct{}, readWorkers)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i].recs, out[i].err = a.readOne(ctx, k)
		}()
	}
	wg.Wait()
	var recs []Record
	for _, r := range out {
		if r.err != nil {
			return nil, len(keys), r.err
		}
		recs = append(recs, r.recs...)
	}
	return recs, len(keys), nil
}

func (a *Archive) readOne(ctx context.Context, key string) ([]Record, error) {
	obj, err := a.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.Bucket), Key: aws.String(key)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	var recs []Record
	sc := bufio.NewScanner(io.LimitReader(obj.Body, 16<<20))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Record
		if json.Unmarshal(line, &r) == nil {
			recs = append(recs, r)
		}
	}
	return recs, sc.Err()
}
