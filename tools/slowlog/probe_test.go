package slowlog

import (
	"context"
	"errors"
	"testing"

	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestProbeReadsAQuietLogInOneCall: with Probe, a log that fits in one page is read in one call with the
// same digest as the sliced read; a bigger one falls back to the slices (one extra call) with the same
// digest; a missing group is still ErrLogGroupNotFound.
func TestProbeReadsAQuietLogInOneCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		page int
	}{{"quiet log", 1000}, {"busy log", 30}} {
		t.Run(tc.name, func(t *testing.T) {
			sliced := &fakeLogs{events: events(400), page: tc.page}
			want, err := Collect(context.Background(), sliced, &fakeRDS{}, topo, win, Request{TopN: 5})
			if err != nil {
				t.Fatal(err)
			}
			probed := &fakeLogs{events: events(400), page: tc.page}
			got, err := Collect(context.Background(), probed, &fakeRDS{}, topo, win, Request{TopN: 5, Probe: true})
			if err != nil {
				t.Fatal(err)
			}
			if got.Digest.Entries != want.Digest.Entries || got.Digest.Classes != want.Digest.Classes || got.Digest.TotalQueryTimeS != want.Digest.TotalQueryTimeS ||
				got.Digest.Top[0].ID != want.Digest.Top[0].ID || got.Digest.Top[0].Count != want.Digest.Top[0].Count || !got.Coverage.Complete ||
				got.Coverage.EventsRead != 400 || len(got.Coverage.Streams) != 2 {
				t.Fatalf("probe: %+v / %+v\nsliced: %+v / %+v", got.Coverage, got.Digest.Top, want.Coverage, want.Digest.Top)
			}
			if tc.page >= 400 {
				if len(probed.inputs) != 1 || got.Coverage.Calls != 1 || got.Coverage.Slices != 1 || len(sliced.inputs) != 8 {
					t.Errorf("quiet log: %d calls with the probe (coverage %d), %d sliced", len(probed.inputs), got.Coverage.Calls, len(sliced.inputs))
				}
				if in := probed.inputs[0]; *in.StartTime != win.Start.UnixMilli() || *in.EndTime != win.End.UnixMilli()-1 {
					t.Errorf("probe window %d–%d", *in.StartTime, *in.EndTime)
				}
			} else if len(probed.inputs) != len(sliced.inputs)+1 {
				t.Errorf("busy log: %d calls with the probe, %d sliced", len(probed.inputs), len(sliced.inputs))
			}
		})
	}
	missing := &fakeLogs{err: &logtypes.ResourceNotFoundException{Message: new(string)}}
	_, err := FetchEvents(context.Background(), missing, EventRequest{Group: "g", From: win.Start, To: win.End, Probe: true}, func() EventSink { return nil })
	if !errors.Is(err, ErrLogGroupNotFound) || len(missing.inputs) != 1 {
		t.Errorf("missing group: %v after %d calls", err, len(missing.inputs))
	}
}
