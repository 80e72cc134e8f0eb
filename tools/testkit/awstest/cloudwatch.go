package awstest

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// CloudWatchJSON switches a CloudWatch client from its default Smithy RPC v2 CBOR protocol
// (service/cloudwatch >= v1.53.0) to awsJson1.0, which moto_server understands:
//
//	cw := cloudwatch.NewFromConfig(moto.Config(t, "us-east-1"), awstest.CloudWatchJSON())
//
// moto quirk: moto has no CBOR support (getmoto/moto#9195); the default client gets
// "404 … decode argument: unexpected minor value 28". Test-only: production code keeps CBOR.
// Over a Replay, JSON requests carry X-Amz-Target "GraniteServiceVersion20100801.<Op>" and expect
// awsJson responses.
func CloudWatchJSON() func(*cloudwatch.Options) {
	return func(o *cloudwatch.Options) {
		o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
	}
}

// CloudWatchQuery switches a CloudWatch client to the awsQuery protocol (form body with
// Action=<Op>&Version=2010-08-01, XML responses). Useful with Replay, because recorded CloudWatch
// responses (AWS docs, CLI --debug output) are usually in the query XML format; moto also accepts it.
func CloudWatchQuery() func(*cloudwatch.Options) {
	return func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
	}
}
