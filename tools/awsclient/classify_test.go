package awsclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
)

func opErr(svc, op, code, msg string) error {
	return &smithy.OperationError{ServiceID: svc, OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want []string
		hard bool
	}{
		{"denied", In("us-east-1", "orders", opErr("PI", "GetResourceMetrics", "AccessDeniedException", "not authorized")),
			[]string{"AccessDenied", "pi:GetResourceMetrics", "us-east-1", "orders"}, false},
		{"denied logs", opErr("CloudWatch Logs", "StartQuery", "AccessDeniedException", "x"), []string{"logs:StartQuery"}, false},
		{"throttled", In("eu-west-1", "", &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "GetMetricData",
			Err: &retry.MaxAttemptsError{Attempt: 3, Err: &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}}}),
			[]string{"Throttled", "after 3 attempts", "eu-west-1"}, false},
		{"expired", opErr("RDS", "DescribeDBClusters", "ExpiredToken", "The security token included in the request is expired"),
			[]string{"Expired credentials", "aws sso login"}, false},
		{"subscription", opErr("Health", "DescribeEvents", "SubscriptionRequiredException", "x"), []string{"Business"}, false},
		{"no creds", fmt.Errorf("operation error RDS: DescribeDBClusters, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found"),
			[]string{"no AWS credentials found", "--demo"}, true},
		{"request id stripped", opErr("RDS", "DescribeDBClusters", "InvalidParameterValue", "bad value RequestID: abc-123"),
			[]string{"bad value"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Classify(c.err)
			var te *tools.Error
			var he *tools.HardError
			if c.hard != errors.As(got, &he) || (!c.hard && !errors.As(got, &te)) {
				t.Fatalf("class of %v = %T", c.err, got)
			}
			for _, w := range c.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("%q lacks %q", got.Error(), w)
				}
			}
			if strings.Contains(got.Error(), "RequestID") {
				t.Errorf("request id leaked: %s", got)
			}
		})
	}
	if Classify(errors.New("plain")) != nil {
		t.Error("unrecognised errors must return nil")
	}
}

func TestLoadMakesNoNetworkCallsAndCachesClients(t *testing.T) {
	p, err := Load(context.Background(), Options{Region: "ap-northeast-2", RoleARN: "arn:aws:iam::123456789012:role/x",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), Isolated: true, Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if p.RDS("us-east-1") != p.RDS("us-east-1") || p.RDS("us-east-1") == p.RDS("eu-west-1") {
		t.Error("clients must be cached per region")
	}
	if p.DefaultRegion() != "ap-northeast-2" {
		t.Errorf("region %q", p.DefaultRegion())
	}
	_ = p.S3Presign("us-east-1") // must not deadlock on the cache lock
	if _, err := Load(context.Background(), Options{CloudWatchProtocol: "xml"}); err == nil {
		t.Error("bad protocol must fail")
	}
	static, _ := Load(context.Background(), Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), Isolated: true})
	if _, ok, err := static.CredentialsExpiry(context.Background()); err != nil || ok {
		t.Errorf("static credentials do not expire: ok=%v err=%v", ok, err)
	}
}

type regionsOnly struct{ Clients }

func (regionsOnly) DefaultRegion() string { return "" }

func TestRegion(t *testing.T) {
	for in, want := range map[string]string{"us-east-1": "", "ap-northeast-2": "", "us-gov-west-1": "", "mars": "not an AWS region", "": "no region"} {
		_, err := Region(regionsOnly{}, in)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("Region(%q) = %v", in, err)
		}
	}
}
