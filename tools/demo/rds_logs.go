package demo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// RDS log files: the same log text as the CloudWatch Logs export (tools/demo/logs.go), as the instances keep
// it: hourly files for the last 24 hours (slowquery/mysql-slowquery.log[.YYYY-MM-DD.HH],
// error/mysql-error-running.log[...], error/postgresql.log.YYYY-MM-DD-HH; legacy-mysql:
// error/mysql-error.log[...]). legacy-mysql writes its slow log to a table (log_output=TABLE), so it has no
// slow-log file.

const logFileHours = 24

type demoLogFile struct {
	name    string
	written time.Time
	data    string
}

// logFiles returns the log files of one instance, oldest first.
func (f *Fleet) logFiles(id string) []demoLogFile {
	inst := f.Instance(id)
	if inst == nil {
		return nil
	}
	type src struct {
		group, prefix string
		pg            bool
	}
	var srcs []src
	switch {
	case inst.Cluster == nil && inst.ID == "legacy-mysql":
		srcs = []src{{group: "/aws/rds/instance/legacy-mysql/error", prefix: "error/mysql-error.log"}}
	case inst.Cluster != nil && inst.Cluster.ID == "orders-prod":
		srcs = []src{{group: "/aws/rds/cluster/orders-prod/slowquery", prefix: "slowquery/mysql-slowquery.log"},
			{group: "/aws/rds/cluster/orders-prod/error", prefix: "error/mysql-error-running.log"}}
	case inst.Cluster != nil && inst.Cluster.ID == "billing-pg":
		srcs = []src{{group: "/aws/rds/cluster/billing-pg/postgresql", prefix: "error/postgresql.log", pg: true}}
	}
	cur := f.Now.Truncate(time.Hour)
	var out []demoLogFile
	for _, s := range srcs {
		evs, _ := f.logGroup(s.group)
		for h := logFileHours - 1; h >= 0; h-- {
			start := cur.Add(-time.Duration(h) * time.Hour)
			end := start.Add(time.Hour)
			var b strings.Builder
			var last time.Time
			for _, e := range evs {
				t := time.UnixMilli(e.ts).UTC()
				if e.stream != id || t.Before(start) || !t.Before(end) {
					continue
				}
				if b.Len() > 0 && !continuation(e.msg) {
					b.WriteByte('\n')
				}
				b.WriteString(e.msg)
				last = t
			}
			name := s.prefix
			switch {
			case s.pg:
				name += "." + start.Format("2006-01-02-15")
			case h > 0:
				name += "." + start.Format("2006-01-02.15")
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			if last.IsZero() {
				last = start
			}
			if b.Len() == 0 && h > 0 {
				continue
			}
			out = append(out, demoLogFile{name: name, written: last, data: b.String()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].written.Before(out[j].written) })
	return out
}

// continuation reports whether a slow-log event continues the previous one (RDS split it at 256 KiB).
func continuation(msg string) bool {
	return !strings.HasPrefix(msg, "# ") && !strings.HasPrefix(msg, "/rdsdbbin/") && !strings.HasPrefix(msg, "20")
}

func (r *rdsAPI) DescribeDBLogFiles(_ context.Context, in *rds.DescribeDBLogFilesInput, _ ...func(*rds.Options)) (*rds.DescribeDBLogFilesOutput, error) {
	id := aws.ToString(in.DBInstanceIdentifier)
	if !r.here() || r.f.Instance(id) == nil {
		return nil, opErr("RDS", "DescribeDBLogFiles", &rdstypes.DBInstanceNotFoundFault{Message: aws.String("DBInstance " + id + " not found.")})
	}
	var out []rdstypes.DescribeDBLogFilesDetails
	for _, lf := range r.f.logFiles(id) {
		if c := aws.ToString(in.FilenameContains); c != "" && !strings.Contains(lf.name, c) {
			continue
		}
		if in.FileLastWritten != nil && lf.written.UnixMilli() < *in.FileLastWritten {
			continue
		}
		if in.FileSize != nil && int64(len(lf.data)) < *in.FileSize {
			continue
		}
		out = append(out, rdstypes.DescribeDBLogFilesDetails{LogFileName: aws.String(lf.name), LastWritten: aws.Int64(lf.written.UnixMilli()), Size: aws.Int64(int64(len(lf.data)))})
	}
	items, next := page(out, in.Marker, in.MaxRecords)
	return &rds.DescribeDBLogFilesOutput{DescribeDBLogFiles: items, Marker: next}, nil
}

// DownloadDBLogFilePortion serves up to 1 MB from Marker (a byte offset; "0" is the start). Without a
// marker it returns the file's tail, like RDS's "most recent lines".
func (r *rdsAPI) DownloadDBLogFilePortion(_ context.Context, in *rds.DownloadDBLogFilePortionInput, _ ...func(*rds.Options)) (*rds.DownloadDBLogFilePortionOutput, error) {
	id, name := aws.ToString(in.DBInstanceIdentifier), aws.ToString(in.LogFileName)
	if !r.here() || r.f.Instance(id) == nil {
		return nil, opErr("RDS", "DownloadDBLogFilePortion", &rdstypes.DBInstanceNotFoundFault{Message: aws.String("DBInstance " + id + " not found.")})
	}
	for _, lf := range r.f.logFiles(id) {
		if lf.name != name {
			continue
		}
		const portion = 1 << 20
		off := max(0, len(lf.data)-portion)
		if in.Marker != nil {
			off, _ = strconv.Atoi(*in.Marker)
		}
		off = min(max(off, 0), len(lf.data))
		end := min(off+portion, len(lf.data))
		return &rds.DownloadDBLogFilePortionOutput{
			LogFileData: aws.String(lf.data[off:end]), Marker: aws.String(strconv.Itoa(end)),
			AdditionalDataPending: aws.Bool(end < len(lf.data)),
		}, nil
	}
	return nil, opErr("RDS", "DownloadDBLogFilePortion", &rdstypes.DBLogFileNotFoundFault{Message: aws.String(fmt.Sprintf("DBLog File: %s, is not found on the DB instance", name))})
}
