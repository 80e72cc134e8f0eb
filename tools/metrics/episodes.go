package metrics

import (
	"sort"
	"time"
)

// Episode is a time range in which anomalies of one or more series overlap — usually one incident seen
// through several metrics and members.
type Episode struct {
	Start   time.Time      `json:"start"`
	End     time.Time      `json:"end"`
	Entries []EpisodeEntry `json:"entries" jsonschema_description:"The anomalies in this range, by metric (catalogue order), then highest score first."`
	Score   float64        `json:"score" jsonschema_description:"Highest anomaly score in the range."`
}

// EpisodeEntry is one series' anomaly inside an episode.
type EpisodeEntry struct {
	Target    string  `json:"target" jsonschema_description:"Instance id, or the cluster id for cluster-level metrics."`
	Metric    string  `json:"metric"`
	Unit      string  `json:"unit"`
	Direction string  `json:"direction"`
	Peak      float64 `json:"peak"`
	Baseline  float64 `json:"baseline"`
	Score     float64 `json:"score"`
	Anomaly   Anomaly `json:"-"`
}

// Episodes merges the anomalies of r (as kept per series; sustained runs excluded) into episodes: anomalies whose ranges overlap
// or lie within gap of each other share an episode. Episodes come back in time order.
func Episodes(r Result, gap time.Duration) []Episode {
	var all []EpisodeEntry
	add := func(target string, s SeriesStats) {
		for _, a := range s.Anomalies {
			if a.Sustained {
				continue
			}
			all = append(all, EpisodeEntry{Target: target, Metric: s.Metric, Unit: s.Unit, Direction: a.Direction,
				Peak: a.Peak, Baseline: a.Baseline, Score: a.Score, Anomaly: a})
		}
	}
	for _, m := range r.Members {
		for _, s := range m.Metrics {
			add(m.ID, s)
		}
	}
	for _, s := range r.Cluster {
		add(r.ClusterID, s)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Anomaly.Start.Before(all[j].Anomaly.Start) })
	var out []Episode
	for _, e := range all {
		n := len(out)
		if n > 0 && !e.Anomaly.Start.After(out[n-1].End.Add(gap)) {
			ep := &out[n-1]
			ep.Entries = append(ep.Entries, e)
			if e.Anomaly.End.After(ep.End) {
				ep.End = e.Anomaly.End
			}
			ep.Score = max(ep.Score, e.Score)
			continue
		}
		out = append(out, Episode{Start: e.Anomaly.Start, End: e.Anomaly.End, Entries: []EpisodeEntry{e}, Score: e.Score})
	}
	order := map[string]int{}
	for i, m := range Catalogue {
		if _, ok := order[m.Out]; !ok {
			order[m.Out] = i
		}
	}
	for i := range out {
		es := out[i].Entries
		sort.SliceStable(es, func(a, b int) bool {
			if order[es[a].Metric] != order[es[b].Metric] {
				return order[es[a].Metric] < order[es[b].Metric]
			}
			return es[a].Score > es[b].Score
		})
	}
	return out
}
