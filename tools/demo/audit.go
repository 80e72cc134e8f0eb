package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// CloudTrail and AWS Health (issue: database load and audit trail).
//
// The trail around the orders-prod incident: the evening before, DBA jiho (an IAM user) snapshots the
// cluster and changes the cluster parameter group — aurora_parallel_query OFF, which makes the reporting
// query scan orders on one thread, and long_query_time 0.5; during the failover the on-call operator's
// role fails to reboot orders-prod-2 (it is restarting), reboots the lagging reader orders-prod-3 at
// Incident.RebootAt and schedules its scale-up. The failover itself was automatic, so there is no
// FailoverDBCluster call. billing-pg's backup retention was lowered by Terraform 3 days ago (its request
// carries a password, which kida must redact). A reporting role polls Describe* calls (read-only).
//
// Health: one open scheduled-maintenance event (the forced OS upgrade of Incident.OSUpgradeOn) and one
// closed, service-wide RDS issue from 9 days ago.

type cloudTrailAPI struct {
	f      *Fleet
	region string
}

// CloudTrail implements awsclient.Clients.
func (f *Fleet) CloudTrail(region string) awsclient.CloudTrailAPI {
	return &cloudTrailAPI{f: f, region: region}
}

type ctIdentity struct {
	typ, name, sessionRole, ip, agent string
}

var (
	ctDBA = ctIdentity{typ: "IAMUser", name: "dba-jiho", ip: "203.0.113.24",
		agent: "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023"}
	ctOnCall = ctIdentity{typ: "AssumedRole", name: "oncall-minsu", sessionRole: "OpsOperator", ip: "198.51.100.7",
		agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}
	ctTerraform = ctIdentity{typ: "AssumedRole", name: "terraform-ci", sessionRole: "TerraformDeployer", ip: "52.79.120.44",
		agent: "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 aws-sdk-go-v2/1.32.6"}
	ctReporter = ctIdentity{typ: "AssumedRole", name: "kida-report", sessionRole: "KidaReadOnly", ip: "10.20.9.12",
		agent: "kida-mcp/0.1 aws-sdk-go-v2/1.47.7 os/linux lang/go#1.26"}
)

type ctEvent struct {
	at        time.Time
	name      string
	who       ctIdentity
	readOnly  bool
	resources [][2]string // type, name
	request   map[string]any
	errCode   string
	errMsg    string
}

func (f *Fleet) trailEvents() []ctEvent {
	inc := f.Incident
	change := inc.Start.Add(-16 * time.Hour)
	ev := []ctEvent{
		{at: change.Add(-6 * time.Minute), name: "CreateDBClusterSnapshot", who: ctDBA,
			resources: [][2]string{{"AWS::RDS::DBCluster", "orders-prod"}, {"AWS::RDS::DBClusterSnapshot", "orders-prod-before-pq-off"}},
			request:   map[string]any{"dBClusterIdentifier": "orders-prod", "dBClusterSnapshotIdentifier": "orders-prod-before-pq-off"}},
		{at: change, name: "ModifyDBClusterParameterGroup", who: ctDBA,
			resources: [][2]string{{"AWS::RDS::DBClusterParameterGroup", "orders-prod-cluster"}},
			request: map[string]any{"dBClusterParameterGroupName": "orders-prod-cluster", "parameters": []any{
				map[string]any{"parameterName": "aurora_parallel_query", "parameterValue": "OFF", "applyMethod": "immediate"},
				map[string]any{"parameterName": "long_query_time", "parameterValue": "0.5", "applyMethod": "immediate"},
			}}},
		{at: inc.FailoverAt.Add(70 * time.Second), name: "RebootDBInstance", who: ctOnCall,
			resources: [][2]string{{"AWS::RDS::DBInstance", "orders-prod-2"}},
			request:   map[string]any{"dBInstanceIdentifier": "orders-prod-2"},
			errCode:   "InvalidDBInstanceState", errMsg: "DB instance orders-prod-2 is not in the available state."},
		{at: inc.RebootAt, name: "RebootDBInstance", who: ctOnCall,
			resources: [][2]string{{"AWS::RDS::DBInstance", inc.LaggingReader}},
			request:   map[string]any{"dBInstanceIdentifier": inc.LaggingReader, "forceFailover": false}},
		{at: inc.RebootAt.Add(14 * time.Minute), name: "ModifyDBInstance", who: ctOnCall,
			resources: [][2]string{{"AWS::RDS::DBInstance", inc.LaggingReader}},
			request:   map[string]any{"dBInstanceIdentifier": inc.LaggingReader, "dBInstanceClass": "db.r6g.xlarge", "applyImmediately": false}},
		{at: f.Now.Add(-3 * 24 * time.Hour).Truncate(time.Hour).Add(17 * time.Minute), name: "ModifyDBCluster", who: ctTerraform,
			resources: [][2]string{{"AWS::RDS::DBCluster", "billing-pg"}},
			request: map[string]any{"dBClusterIdentifier": "billing-pg", "backupRetentionPeriod": 1, "applyImmediately": true,
				"masterUserPassword": "Sup3r-S3cret-Passw0rd", "preferredBackupWindow": "17:00-17:30"}},
	}
	// the report role's read-only polling, every 6 hours
	for t := f.Now.Truncate(6 * time.Hour).Add(5 * time.Minute); t.After(f.Now.Add(-48 * time.Hour)); t = t.Add(-6 * time.Hour) {
		if t.After(f.Now) {
			continue
		}
		for _, c := range []string{"orders-prod", "billing-pg"} {
			ev = append(ev, ctEvent{at: t, name: "DescribeDBClusters", who: ctReporter, readOnly: true,
				resources: [][2]string{{"AWS::RDS::DBCluster", c}}, request: map[string]any{"dBClusterIdentifier": c}})
		}
	}
	return ev
}

func (e ctEvent) toEvent(account, region string) cttypes.Event {
	id := ctEventID(e.name + e.at.Format(time.RFC3339Nano) + e.who.name)
	ident := map[string]any{"type": e.who.typ, "accountId": account, "accessKeyId": "ASIA" + strings.ToUpper(id[:16])}
	switch e.who.typ {
	case "IAMUser":
		ident["arn"] = fmt.Sprintf("arn:aws:iam::%s:user/%s", account, e.who.name)
		ident["userName"] = e.who.name
		ident["principalId"] = "AIDA" + strings.ToUpper(id[:17])
		ident["accessKeyId"] = "AKIA" + strings.ToUpper(id[:16])
	case "AssumedRole":
		ident["arn"] = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, e.who.sessionRole, e.who.name)
		ident["principalId"] = "AROA" + strings.ToUpper(id[:17]) + ":" + e.who.name
		ident["sessionContext"] = map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROA" + strings.ToUpper(id[:17]),
				"arn": fmt.Sprintf("arn:aws:iam::%s:role/%s", account, e.who.sessionRole), "accountId": account, "userName": e.who.sessionRole},
			"attributes": map[string]any{"creationDate": e.at.Add(-20 * time.Minute).UTC().Format(time.RFC3339), "mfaAuthenticated": "false"},
		}
	}
	rec := map[string]any{
		"eventVersion": "1.09", "userIdentity": ident, "eventTime": e.at.UTC().Format(time.RFC3339),
		"eventSource": "rds.amazonaws.com", "eventName": e.name, "awsRegion": region,
		"sourceIPAddress": e.who.ip, "userAgent": e.who.agent, "requestParameters": e.request,
		"requestID": ctEventID("req" + id), "eventID": id, "readOnly": e.readOnly, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": account, "eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "rds." + region + ".amazonaws.com"},
	}
	if e.errCode != "" {
		rec["errorCode"], rec["errorMessage"] = e.errCode, e.errMsg
		rec["responseElements"] = nil
	}
	body, _ := json.Marshal(rec)
	out := cttypes.Event{
		EventId: aws.String(id), EventName: aws.String(e.name), EventSource: aws.String("rds.amazonaws.com"),
		EventTime: aws.Time(e.at), ReadOnly: aws.String(strconv.FormatBool(e.readOnly)), Username: aws.String(e.who.name),
		AccessKeyId: aws.String(ident["accessKeyId"].(string)), CloudTrailEvent: aws.String(string(body)),
	}
	for _, r := range e.resources {
		out.Resources = append(out.Resources, cttypes.Resource{ResourceType: aws.String(r[0]), ResourceName: aws.String(r[1])})
	}
	return out
}

// ctEventID is a deterministic UUID-shaped id.
func ctEventID(s string) string {
	h1, h2 := fnv.New64a(), fnv.New64()
	_, _ = h1.Write([]byte(s))
	_, _ = h2.Write([]byte(s))
	x := fmt.Sprintf("%016x%016x", h1.Sum64(), h2.Sum64())
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-a" + x[17:20] + "-" + x[20:32]
}

func (c *cloudTrailAPI) LookupEvents(_ context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	if len(in.LookupAttributes) > 1 {
		return nil, opErr("CloudTrail", "LookupEvents", &cttypes.InvalidLookupAttributesException{Message: aws.String("You cannot specify more than one lookup attribute.")})
	}
	var matched []cttypes.Event
	if c.region == Region {
		for _, e := range c.f.trailEvents() {
			if in.StartTime != nil && e.at.Before(*in.StartTime) || in.EndTime != nil && !e.at.Before(*in.EndTime) || e.at.After(c.f.Now) {
				continue
			}
			ev := e.toEvent(Account, c.region)
			if len(in.LookupAttributes) == 1 && !ctMatches(in.LookupAttributes[0], ev) {
				continue
			}
			matched = append(matched, ev)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].EventTime.After(*matched[j].EventTime) })
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(strings.TrimPrefix(*in.NextToken, "demo-"))
	}
	n := 50
	if in.MaxResults != nil && *in.MaxResults > 0 && *in.MaxResults < 50 {
		n = int(*in.MaxResults)
	}
	start = min(start, len(matched))
	end := min(start+n, len(matched))
	out := &cloudtrail.LookupEventsOutput{Events: matched[start:end]}
	if end < len(matched) {
		out.NextToken = aws.String("demo-" + strconv.Itoa(end))
	}
	return out, nil
}

func ctMatches(a cttypes.LookupAttribute, e cttypes.Event) bool {
	v := aws.ToString(a.AttributeValue)
	switch a.AttributeKey {
	case cttypes.LookupAttributeKeyResourceName:
		for _, r := range e.Resources {
			if aws.ToString(r.ResourceName) == v {
				return true
			}
		}
		return false
	case cttypes.LookupAttributeKeyEventName:
		return aws.ToString(e.EventName) == v
	case cttypes.LookupAttributeKeyEventSource:
		return aws.ToString(e.EventSource) == v
	case cttypes.LookupAttributeKeyUsername:
		return aws.ToString(e.Username) == v
	case cttypes.LookupAttributeKeyReadOnly:
		return aws.ToString(e.ReadOnly) == v
	case cttypes.LookupAttributeKeyEventId:
		return aws.ToString(e.EventId) == v
	}
	return false
}

type healthAPI struct{ f *Fleet }

// Health implements awsclient.Clients.
func (f *Fleet) Health() awsclient.HealthAPI { return &healthAPI{f: f} }

type hEvent struct {
	ev       healthtypes.Event
	desc     string
	entities []string
}

func (f *Fleet) healthEvents() []hEvent {
	inc := f.Incident
	posted := f.Now.Add(-2 * 24 * time.Hour).Truncate(time.Hour).Add(23 * time.Minute)
	due := inc.OSUpgradeDue
	issueStart := f.Now.Add(-9 * 24 * time.Hour).Truncate(time.Hour).Add(-4 * time.Hour)
	return []hEvent{
		{ev: healthtypes.Event{
			Arn:               aws.String(fmt.Sprintf("arn:aws:health:%s::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/AWS_RDS_MAINTENANCE_SCHEDULED_%s_%s", Region, strings.ToUpper(strings.ReplaceAll(Region, "-", "_")), due.Format("20060102"))),
			Service:           aws.String("RDS"),
			EventTypeCode:     aws.String("AWS_RDS_MAINTENANCE_SCHEDULED"),
			EventTypeCategory: healthtypes.EventTypeCategoryScheduledChange,
			Region:            aws.String(Region),
			StartTime:         aws.Time(posted), LastUpdatedTime: aws.Time(posted),
			StatusCode:     healthtypes.EventStatusCodeOpen,
			EventScopeCode: healthtypes.EventScopeCodeAccountSpecific,
		},
			desc: fmt.Sprintf("A required operating system update is available for your Amazon Aurora DB instance %s. "+
				"If you do not apply it before %s, Amazon RDS applies it automatically during the first maintenance window after that date; "+
				"the instance restarts, which for a writer means a failover. We recommend applying the update during a maintenance window of "+
				"your choice (aws rds apply-pending-maintenance-action --apply-action system-update --opt-in-type next-maintenance).",
				inc.OSUpgradeOn, due.Format("2006-01-02 15:04 MST")),
			entities: []string{inc.OSUpgradeOn},
		},
		{ev: healthtypes.Event{
			Arn:               aws.String(fmt.Sprintf("arn:aws:health:%s::event/RDS/AWS_RDS_OPERATIONAL_ISSUE/AWS_RDS_OPERATIONAL_ISSUE_9F2C1_%s", Region, issueStart.Format("20060102"))),
			Service:           aws.String("RDS"),
			EventTypeCode:     aws.String("AWS_RDS_OPERATIONAL_ISSUE"),
			EventTypeCategory: healthtypes.EventTypeCategoryIssue,
			Region:            aws.String(Region), AvailabilityZone: aws.String(Region + "c"),
			StartTime: aws.Time(issueStart), EndTime: aws.Time(issueStart.Add(95 * time.Minute)), LastUpdatedTime: aws.Time(issueStart.Add(2 * time.Hour)),
			StatusCode:     healthtypes.EventStatusCodeClosed,
			EventScopeCode: healthtypes.EventScopeCodePublic,
		},
			desc: "[RESOLVED] Increased API error rates and provisioning latencies. Between the start and end times of this event, some " +
				"customers experienced elevated error rates for RDS API calls and delays creating and modifying instances in a single " +
				"Availability Zone. Existing databases were not affected. The issue has been resolved and the service is operating normally.",
		},
	}
}

func healthInRanges(t *time.Time, rs []healthtypes.DateTimeRange) bool {
	if len(rs) == 0 {
		return true
	}
	for _, r := range rs {
		if t != nil && (r.From == nil || !t.Before(*r.From)) && (r.To == nil || !t.After(*r.To)) {
			return true
		}
	}
	return false
}

func healthHas[T comparable](set []T, v T) bool {
	if len(set) == 0 {
		return true
	}
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

func (h *healthAPI) DescribeEvents(_ context.Context, in *health.DescribeEventsInput, _ ...func(*health.Options)) (*health.DescribeEventsOutput, error) {
	out := &health.DescribeEventsOutput{}
	for _, e := range h.f.healthEvents() {
		if f := in.Filter; f != nil {
			if !healthHas(f.Services, aws.ToString(e.ev.Service)) || !healthHas(f.Regions, aws.ToString(e.ev.Region)) ||
				!healthHas(f.EventStatusCodes, e.ev.StatusCode) || !healthHas(f.EventTypeCategories, e.ev.EventTypeCategory) ||
				!healthHas(f.EventTypeCodes, aws.ToString(e.ev.EventTypeCode)) ||
				!healthInRanges(e.ev.LastUpdatedTime, f.LastUpdatedTimes) || !healthInRanges(e.ev.StartTime, f.StartTimes) {
				continue
			}
		}
		out.Events = append(out.Events, e.ev)
	}
	return out, nil
}

func (h *healthAPI) DescribeEventDetails(_ context.Context, in *health.DescribeEventDetailsInput, _ ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error) {
	out := &health.DescribeEventDetailsOutput{}
	for _, arn := range in.EventArns {
		found := false
		for _, e := range h.f.healthEvents() {
			if aws.ToString(e.ev.Arn) == arn {
				ev := e.ev
				out.SuccessfulSet = append(out.SuccessfulSet, healthtypes.EventDetails{Event: &ev,
					EventDescription: &healthtypes.EventDescription{LatestDescription: aws.String(e.desc)}})
				found = true
			}
		}
		if !found {
			out.FailedSet = append(out.FailedSet, healthtypes.EventDetailsErrorItem{EventArn: aws.String(arn),
				ErrorName: aws.String("NotFound"), ErrorMessage: aws.String("Event not found")})
		}
	}
	return out, nil
}

func (h *healthAPI) DescribeAffectedEntities(_ context.Context, in *health.DescribeAffectedEntitiesInput, _ ...func(*health.Options)) (*health.DescribeAffectedEntitiesOutput, error) {
	out := &health.DescribeAffectedEntitiesOutput{}
	if in.Filter == nil {
		return out, nil
	}
	for _, e := range h.f.healthEvents() {
		if !healthHas(in.Filter.EventArns, aws.ToString(e.ev.Arn)) {
			continue
		}
		for _, v := range e.entities {
			out.Entities = append(out.Entities, healthtypes.AffectedEntity{
				EventArn: e.ev.Arn, EntityValue: aws.String(v), AwsAccountId: aws.String(Account),
				EntityArn:       aws.String(fmt.Sprintf("arn:aws:health:%s:%s:entity/%s", Region, Account, ctEventID(v)[:12])),
				LastUpdatedTime: e.ev.LastUpdatedTime, StatusCode: healthtypes.EntityStatusCodePending,
			})
		}
	}
	return out, nil
}
