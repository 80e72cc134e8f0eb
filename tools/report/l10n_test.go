package report

import (
	"strings"
	"testing"

	"github.com/kida-mcp/kida-mcp/tools/i18n"
)

func TestLocalizeGap(t *testing.T) {
	for _, c := range []struct {
		in   Gap
		want Gap
	}{
		{Gap{What: "database load", Why: "AccessDenied on pi:GetResourceMetrics", Fix: "grant pi:GetResourceMetrics", Code: GapFixGrant},
			Gap{What: "데이터베이스 부하", Why: "pi:GetResourceMetrics 권한 거부(AccessDenied)", Fix: "IAM 권한 pi:GetResourceMetrics을(를) 부여하세요", Code: GapFixGrant}},
		{Gap{What: "alarms", Why: "timed out after 45s", Fix: "grant cloudwatch:DescribeAlarms and cloudwatch:DescribeAlarmHistory"},
			Gap{What: "경보", Why: "45s 후 시간 초과", Fix: "IAM 권한 cloudwatch:DescribeAlarms, cloudwatch:DescribeAlarmHistory을(를) 부여하세요"}},
		{Gap{What: "events", Why: "AccessDenied: x", Fix: "Grant the IAM action rds:DescribeEvents to the role kida-mcp runs as (see examples/iam/), or skip this data.", Code: GapFixIAMAction},
			Gap{What: "이벤트", Why: "AccessDenied: x", Fix: "kida-mcp가 실행되는 역할에 IAM 권한 rds:DescribeEvents을(를) 부여하거나(examples/iam/ 참고) 이 데이터를 건너뛰세요.", Code: GapFixIAMAction}},
		{Gap{What: "something else", Why: "why", Fix: "aws rds modify-db-instance --x"},
			Gap{What: "something else", Why: "why", Fix: "aws rds modify-db-instance --x"}},
	} {
		if got := LocalizeGap("ko", c.in); got != c.want {
			t.Errorf("LocalizeGap(%+v)\n got %+v\nwant %+v", c.in, got, c.want)
		}
		if got := LocalizeGap("en", c.in); got != c.in {
			t.Errorf("English changed: %+v", got)
		}
	}
}

func TestLocalizeSetting(t *testing.T) {
	ko := i18n.For("ko")
	for in, want := range map[Setting]Setting{
		{Name: "Slow log w1", Value: "x=1"}:                                      {Name: "느린 쿼리 로그 w1", Value: "x=1"},
		{Name: "Deletion protection", Value: "off"}:                              {Name: "삭제 방지", Value: "꺼짐"},
		{Name: "Backup retention", Value: "7 days"}:                              {Name: "백업 보존 기간", Value: "7일"},
		{Name: "Log exports", Value: "error", Note: "missing: none"}:             {Name: "로그 내보내기", Value: "error", Note: "누락: 없음"},
		{Name: "Performance Insights", Value: "standard", Note: "retention 7 d"}: {Name: "Performance Insights", Value: "standard", Note: "보존 7일"},
	} {
		if got := localizeSetting(ko, in); got != want {
			t.Errorf("%+v: got %+v", in, got)
		}
		if got := localizeSetting(i18n.For("en"), in); got != in {
			t.Errorf("English changed: %+v", got)
		}
	}
	if got := eventCategory(ko, "configuration change"); got != "설정 변경" {
		t.Errorf("category: %q", got)
	}
}

func TestSectionSummaryLocalized(t *testing.T) {
	c := SampleCheck(2, 2, 60)
	c.Sections = []Section{{ID: SecEvents, Name: "events", Status: "ok", Summary: "7 events", SummaryKey: "sum.events", SummaryArgs: []string{"7"}}}
	for lang, want := range map[string]string{"ko": "이벤트 7건", "en": "7 events"} {
		var b strings.Builder
		if err := HTMLLang(&b, c, lang); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: section summary %q missing", lang, want)
		}
	}
}
