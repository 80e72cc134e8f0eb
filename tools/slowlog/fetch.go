package slowlog

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/kida-mcp/kida-mcp/tools"
)

// Coverage says how much of the window's log was read.
type Coverage struct {
	Source        string   `json:"source" jsonschema:"enum=cloudwatch_logs,enum=log_files,enum=none" jsonschema_description:"Where the log was read: the CloudWatch Logs export, the instances' log files (DownloadDBLogFilePortion), or nowhere."`
	LogGroup      string   `json:"log_group,omitempty"`
	Calls         int      `json:"calls" jsonschema_description:"API pages read."`
	EventsRead    int64    `json:"events_read" jsonschema_description:"CloudWatch events (or log-file lines) read."`
	BytesRead     int64    `json:"bytes_read"`
	Complete      bool     `json:"complete" jsonschema_description:"True when everything in the window was read; false when the event or time budget cut the read (then the digest is a sample)."`
	Slices        int      `json:"slices,omitempty" jsonschema_description:"Time slices the window was read in (concurrently)."`
	SlicesCut     int      `json:"slices_cut,omitempty" jsonschema_description:"Slices the budget cut short; each slice is read from its start."`
	Streams       []string `json:"streams" jsonschema_description:"Log streams (instances) or log files that had data."`
	Reason        string   `json:"reason,omitempty" jsonschema_description:"Why the read is incomplete."`
	BudgetEvents  int64    `json:"budget_events,omitempty"`
	BudgetSeconds float64  `json:"budget_seconds,omitempty"`
}

// LogGroup returns the CloudWatch Logs group an RDS export of logType (slowquery, error, postgresql, …)
// lands in: /aws/rds/cluster/<id>/<type> for clusters, /aws/rds/instance/<id>/<type> for standalone
// instances.
func LogGroup(kind, id, logType string) string {
	if kind == "instance" {
		return "/aws/rds/instance/" + id + "/" + logType
	}
	return "/aws/rds/cluster/" + id + "/" + logType
}

// EventSink consumes the events of one time slice in (timestamp, eventId) order per stream.
type EventSink interface {
	Add(stream string, ts int64, msg []byte)
	Flush()
}

// EventRequest describes a FilterLogEvents read.
type EventRequest struct {
	Group         string
	Streams       []string // only these streams (instances); empty: all
	FilterPattern string   // optional CloudWatch filter pattern
	From, To      time.Time
	MaxEvents     int64         // event budget over the whole window (0: 200,000)
	Budget        time.Duration // time budget (0: 60 s)
	SliceLen      time.Duration // slice length (0: window/8, at least 15 minutes)
	Concurrency   int           // slices read at once (0: 4)
	// Probe first reads the whole window in one call; only a log that does not fit in one page is then
	// read in slices (that page is read again there). A quiet log costs one call instead of one per slice.
	Probe bool
}

// Defaults for EventRequest.
const (
	DefaultMaxEvents   = 200_000
	DefaultBudget      = 60 * time.Second
	DefaultConcurrency = 4
	maxSlices          = 24
)

// ErrLogGroupNotFound is returned (wrapped) when the log group does not exist.
var ErrLogGroupNotFound = errors.New("log group not found")

// FetchEvents reads req.Group with FilterLogEvents. The window is cut into time slices read concurrently
// (at most req.Concurrency at once), each with an equal share of the event budget, so a budget-cut read
// still samples the whole window; every slice gets its own sink from newSink (parser state such as the
// current database does not cross slices). Events are grouped by stream and sorted by (timestamp, eventId)
// within each page before they reach the sink. The first AWS error stops the read and is returned with the
// coverage so far; a missing log group returns an error wrapping ErrLogGroupNotFound.
func FetchEvents(ctx context.Context, api LogsAPI, req EventRequest, newSink func() EventSink) (Coverage, error) {
	cov := Coverage{Source: "cloudwatch_logs", LogGroup: req.Group, Complete: true, Streams: []string{}}
	if req.MaxEvents <= 0 {
		req.MaxEvents = DefaultMaxEvents
	}
	if req.Budget <= 0 {
		req.Budget = DefaultBudget
	}
	if req.Concurrency <= 0 {
		req.Concurrency = DefaultConcurrency
	}
	cov.BudgetEvents, cov.BudgetSeconds = req.MaxEvents, req.Budget.Seconds()
	span := req.To.Sub(req.From)
	if span <= 0 {
		return cov, nil
	}
	sl := req.SliceLen
	if sl <= 0 {
		sl = max(span/8, 15*time.Minute)
	}
	n := int((span + sl - 1) / sl)
	n = max(1, min(n, maxSlices))
	sl = (span + time.Duration(n) - 1) / time.Duration(n)
	cov.Slices = n
	perSlice := max(req.MaxEvents/int64(n), 1)

	ctx, cancel := context.WithTimeout(ctx, req.Budget)
	defer cancel()
	if req.Probe && n > 1 {
		done, err := probe(ctx, api, req, newSink, &cov)
		if err != nil || done {
			return cov, err
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		streams  = map[string]bool{}
		wg       sync.WaitGroup
		sem      = make(chan struct{}, req.Concurrency)
		read     int
	)
	for i := range n {
		from := req.From.Add(time.Duration(i) * sl)
		to := from.Add(sl)
		if to.After(req.To) {
			to = req.To
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				mu.Lock()
				cov.Complete = false
				cov.SlicesCut++
				mu.Unlock()
				return
			}
			defer func() { <-sem }()
			sink := newSink()
			st, err := readSlice(ctx, api, req, from, to, perSlice, sink)
			sink.Flush()
			mu.Lock()
			defer mu.Unlock()
			cov.Calls += st.calls
			cov.EventsRead += st.events
			cov.BytesRead += st.bytes
			read++
			// progress per time slice when the MCP client asked for it (a no-op otherwise)
			tools.Progress(ctx, float64(read), float64(n), fmt.Sprintf("log slice %d of %d read", read, n))
			for s := range st.streams {
				streams[s] = true
			}
			if st.cut {
				cov.Complete = false
				cov.SlicesCut++
			}
			if err != nil && firstErr == nil {
				if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
					cov.Complete = false
					return
				}
				firstErr = err
				cancel()
			}
		}()
	}
	wg.Wait()
	for s := range streams {
		cov.Streams = append(cov.Streams, s)
	}
	slices.Sort(cov.Streams)
	if !cov.Complete {
		cov.Reason = fmt.Sprintf("budget of %d events / %s reached in %d of %d time slices: the digest is a sample of each slice's first events",
			req.MaxEvents, req.Budget, cov.SlicesCut, cov.Slices)
	}
	return cov, firstErr
}

type sliceStats struct {
	calls   int
	events  int64
	bytes   int64
	cut     bool
	streams map[string]bool
}

type pageEvent struct {
	stream string
	ts     int64
	id     string
	msg    string
}

func readSlice(ctx context.Context, api LogsAPI, req EventRequest, from, to time.Time, budget int64, sink EventSink) (sliceStats, error) {
	st := sliceStats{streams: map[string]bool{}}
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(req.Group),
		StartTime:    aws.Int64(from.UnixMilli()),
		EndTime:      aws.Int64(to.UnixMilli() - 1), // EndTime is inclusive; slices are [from, to)
	}
	if len(req.Streams) > 0 {
		in.LogStreamNames = req.Streams
	}
	if req.FilterPattern != "" {
		in.FilterPattern = aws.String(req.FilterPattern)
	}
	var page []pageEvent
	for {
		if err := ctx.Err(); err != nil {
			st.cut = true
			return st, nil
		}
		out, err := api.FilterLogEvents(ctx, in)
		st.calls++
		if err != nil {
			if ctx.Err() != nil {
				st.cut = true
				return st, nil
			}
			var nf *logtypes.ResourceNotFoundException
			if errors.As(err, &nf) {
				return st, fmt.Errorf("%w: %s: %w", ErrLogGroupNotFound, req.Group, err)
			}
			return st, err
		}
		page = sortedPage(page[:0], out.Events)
		for _, e := range page {
			sink.Add(e.stream, e.ts, []byte(e.msg))
			st.events++
			st.bytes += int64(len(e.msg))
			st.streams[e.stream] = true
		}
		next := aws.ToString(out.NextToken)
		if next == "" || (in.NextToken != nil && next == *in.NextToken) {
			return st, nil
		}
		if st.events >= budget {
			st.cut = true
			return st, nil
		}
		in.NextToken = aws.String(next)
	}
}

// sortedPage appends the events of one page to page, grouped by stream and sorted by (timestamp, eventId).
func sortedPage(page []pageEvent, events []logtypes.FilteredLogEvent) []pageEvent {
	for _, e := range events {
		page = append(page, pageEvent{aws.ToString(e.LogStreamName), aws.ToInt64(e.Timestamp), aws.ToString(e.EventId), aws.ToString(e.Message)})
	}
	slices.SortStableFunc(page, func(a, b pageEvent) int {
		if r := strings.Compare(a.stream, b.stream); r != 0 {
			return r
		}
		if r := cmp.Compare(a.ts, b.ts); r != 0 {
			return r
		}
		return strings.Compare(a.id, b.id)
	})
	return page
}

// probe reads the whole window with one FilterLogEvents call. When that page is the whole answer (no
// next token, within the event budget) it feeds one sink, fills cov and reports done; otherwise nothing
// reaches a sink and the caller reads the window in slices.
func probe(ctx context.Context, api LogsAPI, req EventRequest, newSink func() EventSink, cov *Coverage) (bool, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(req.Group),
		StartTime:    aws.Int64(req.From.UnixMilli()),
		EndTime:      aws.Int64(req.To.UnixMilli() - 1),
	}
	if len(req.Streams) > 0 {
		in.LogStreamNames = req.Streams
	}
	if req.FilterPattern != "" {
		in.FilterPattern = aws.String(req.FilterPattern)
	}
	out, err := api.FilterLogEvents(ctx, in)
	cov.Calls++
	if err != nil {
		var nf *logtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return false, fmt.Errorf("%w: %s: %w", ErrLogGroupNotFound, req.Group, err)
		}
		if ctx.Err() != nil {
			return false, nil // the slices say how the budget ran out
		}
		return false, err
	}
	if aws.ToString(out.NextToken) != "" || int64(len(out.Events)) > req.MaxEvents {
		return false, nil
	}
	sink := newSink()
	streams := map[string]bool{}
	for _, e := range sortedPage(nil, out.Events) {
		sink.Add(e.stream, e.ts, []byte(e.msg))
		cov.EventsRead++
		cov.BytesRead += int64(len(e.msg))
		streams[e.stream] = true
	}
	sink.Flush()
	cov.Slices = 1
	for st := range streams {
		cov.Streams = append(cov.Streams, st)
	}
	slices.Sort(cov.Streams)
	return true, nil
}

// LineSink consumes the lines of one log file.
type LineSink interface {
	Line(l []byte)
	End()
}

// FileRequest describes a log-file read (the fallback when a log is not exported to CloudWatch Logs).
type FileRequest struct {
	Instances []string
	Contains  string // file name filter, e.g. "slowquery" or "postgresql.log"
	From, To  time.Time
	MaxBytes  int64         // download budget (0: 256 MiB)
	Budget    time.Duration // time budget (0: 60 s)
}

// FetchLogFiles reads the instances' log files whose name contains req.Contains and that were last written
// in or after the window start, with
// DescribeDBLogFiles and DownloadDBLogFilePortion (Marker "0", following Marker while AdditionalDataPending),
// oldest first, and hands their lines to a sink per file. Files are read until the byte or time budget runs
// out. The first AWS error stops the read and is returned with the coverage so far.
func FetchLogFiles(ctx context.Context, api RDSAPI, req FileRequest, newSink func(instance, file string) LineSink) (Coverage, error) {
	cov := Coverage{Source: "log_files", Complete: true, Streams: []string{}}
	if req.MaxBytes <= 0 {
		req.MaxBytes = 256 << 20
	}
	if req.Budget <= 0 {
		req.Budget = DefaultBudget
	}
	cov.BudgetSeconds = req.Budget.Seconds()
	ctx, cancel := context.WithTimeout(ctx, req.Budget)
	defer cancel()
	type file struct {
		inst, name string
		written    int64
	}
	var files []file
	for _, inst := range req.Instances {
		// name and age are filtered here rather than with FilenameContains/FileLastWritten: the list is
		// short, and emulators (moto) reject those parameters
		in := &rds.DescribeDBLogFilesInput{DBInstanceIdentifier: aws.String(inst)}
		for page := 0; page < 20; page++ {
			out, err := api.DescribeDBLogFiles(ctx, in)
			cov.Calls++
			if err != nil {
				return cov, err
			}
			for _, d := range out.DescribeDBLogFiles {
				if !written(d, req.From) || !strings.Contains(aws.ToString(d.LogFileName), req.Contains) {
					continue
				}
				files = append(files, file{inst, aws.ToString(d.LogFileName), aws.ToInt64(d.LastWritten)})
			}
			if aws.ToString(out.Marker) == "" {
				break
			}
			in.Marker = out.Marker
		}
	}
	slices.SortStableFunc(files, func(a, b file) int {
		if r := strings.Compare(a.inst, b.inst); r != 0 {
			return r
		}
		return cmp.Compare(a.written, b.written)
	})
	for _, f := range files {
		sink := newSink(f.inst, f.name)
		marker := "0"
		var carry []byte
		had := false
		for {
			if ctx.Err() != nil || cov.BytesRead >= req.MaxBytes {
				cov.Complete = false
				cov.Reason = fmt.Sprintf("download budget (%s, %d MiB) reached in %s", req.Budget, req.MaxBytes>>20, f.name)
				break
			}
			out, err := api.DownloadDBLogFilePortion(ctx, &rds.DownloadDBLogFilePortionInput{
				DBInstanceIdentifier: aws.String(f.inst), LogFileName: aws.String(f.name), Marker: aws.String(marker),
			})
			cov.Calls++
			if err != nil {
				if ctx.Err() != nil {
					cov.Complete = false
					cov.Reason = fmt.Sprintf("time budget (%s) reached in %s", req.Budget, f.name)
					break
				}
				sink.End()
				return cov, err
			}
			data := aws.ToString(out.LogFileData)
			cov.BytesRead += int64(len(data))
			had = had || len(data) > 0
			carry = append(carry, data...)
			for {
				i := bytes.IndexByte(carry, '\n')
				if i < 0 {
					break
				}
				sink.Line(carry[:i])
				cov.EventsRead++
				carry = carry[i+1:]
			}
			carry = append([]byte(nil), carry...)
			next := aws.ToString(out.Marker)
			if !aws.ToBool(out.AdditionalDataPending) || next == "" || next == marker {
				break
			}
			marker = next
		}
		if len(carry) > 0 {
			sink.Line(carry)
			cov.EventsRead++
		}
		sink.End()
		if had {
			cov.Streams = append(cov.Streams, f.inst+":"+f.name)
		}
		if !cov.Complete {
			break
		}
	}
	return cov, nil
}

func written(d rdstypes.DescribeDBLogFilesDetails, from time.Time) bool {
	lw := aws.ToInt64(d.LastWritten)
	if lw > 0 && lw < 1e11 { // seconds (moto) rather than milliseconds (AWS)
		lw *= 1000
	}
	return lw == 0 || lw >= from.UnixMilli()
}
