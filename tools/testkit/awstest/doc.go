// Package awstest is the AWS wire-test harness: it runs the real aws-sdk-go-v2 clients against either a
// shared moto_server (getmoto/moto, for the operations moto implements) or a Replay server that serves
// recorded AWS responses (for the operations moto lacks). Import it only from _test.go files.
//
// # moto
//
// Every package whose tests use moto needs a TestMain that stops the shared server:
//
//	func TestMain(m *testing.M) { awstest.Main(m) }
//
// (A custom TestMain can call awstest.StopMoto() after m.Run() instead.) Then, in a test:
//
//	moto := awstest.StartMoto(t) // started once per test binary, reset for this test
//	cfg := moto.Config(t, "us-east-1")
//	ids := awstest.SeedAuroraCluster(t, cfg, awstest.ClusterSpec{
//		ID: "prod-aurora", Instances: 3, LogExports: []string{"slowquery", "error"},
//		ClusterParams: map[string]string{"slow_query_log": "1", "long_query_time": "0.5"},
//	}) // ids[0] is the writer
//	awstest.SeedMetricData(t, cfg, "AWS/RDS", datums...)
//	awstest.SeedLogEvents(t, cfg, "/aws/rds/cluster/prod-aurora/slowquery", ids[0], events...)
//	cw := cloudwatch.NewFromConfig(cfg, awstest.CloudWatchJSON()) // moto cannot speak CBOR
//	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
//
// Rules:
//   - StartMoto resets all moto state, so moto tests must not call t.Parallel (one server per test binary;
//     different packages get different servers and may run in parallel).
//   - If moto_server is not on PATH, or KIDA_SKIP_MOTO=1, moto tests are skipped — unless CI=true or
//     KIDA_REQUIRE_MOTO=1, which turn that into a failure. Install with: pip install 'moto[server]'.
//   - moto_server runs in its own process group, which Main kills. On Linux the kernel also kills it when the
//     test binary exits for any reason (parent-death signal); elsewhere awstest.Main is the only guarantee.
//   - On failure, a test that called StartMoto logs moto_server's output (request lines, Python
//     tracebacks of HTTP 500s) from its own run.
//   - Config/Replay.Config never read the developer's AWS environment, files or IMDS; they use static
//     credentials "test"/"test", RetryMaxAttempts 1 and request compression off.
//
// moto quirks (moto_server 5.2.1 with the SDK versions in go.mod; see also /work/shared/reference/aws.md §10):
//   - Operations moto does not implement answer HTTP 500 with an HTML page, which the SDK reports as
//     "deserialization failed … invalid character '<'" — not as "not implemented".
//   - CloudWatch: no CBOR (the default protocol of service/cloudwatch >= v1.53) → CloudWatchJSON or
//     CloudWatchQuery. gzip-compressed request bodies (PutMetricData) → HTTP 500 "BadGzipFile"; the configs
//     here disable request compression, production configs compress PutMetricData bodies >= 10 KiB.
//   - GetMetricData: buckets start at StartTime, empty buckets are omitted, percentiles → 500, metric math
//     and Metrics Insights are not really evaluated. DescribeAlarms ignores StateValue when
//     AlarmNamePrefix is set. DescribeAlarmHistory is not implemented.
//   - RDS: the first instance created in a cluster is the writer; DbiResourceId is the same constant for all
//     instances; PI/Database Insights fields are never returned; DescribeEvents has no cluster events; a
//     cluster without a custom parameter group gets "default.aurora8.0" whatever the engine.
//     DescribePendingMaintenanceActions, DescribeDBRecommendations, DescribeDBParameters and
//     DownloadDBLogFilePortion are not implemented.
//   - Logs: FilterLogEvents honours plain terms only (other pattern syntaxes match everything); Logs
//     Insights ignores filter/parse/stats.
//   - No Performance Insights, no Health, no CloudTrail LookupEvents.
//
// # Replay
//
// Replay serves recorded responses for everything else. Routes match the operation by bare name or by
// full protocol name (X-Amz-Target for awsJson, the Action form field for awsQuery):
//
//	rp := awstest.NewReplay(t,
//		awstest.Route{Op: "PerformanceInsightsv20180227.GetResourceMetrics", File: "testdata/pi_metrics.json"},
//		awstest.Route{Op: "DescribePendingMaintenanceActions", File: "testdata/pending.xml"},
//		awstest.Route{Op: "LookupEvents", Status: 400,
//			Body: `{"__type":"AccessDeniedException","message":"denied"}`},
//	)
//	cfg := rp.Config(t, "us-east-1")
//	... call the code under test with clients built from cfg ...
//	reqs := rp.Requests("GetResourceMetrics") // assert the exact SDK input: Header, Body, Form
//
// Protocols of the services involved: Performance Insights, CloudTrail and Health are awsJson1.1 (JSON
// bodies, timestamps as epoch seconds, errors as {"__type": …, "message": …}); RDS is awsQuery (form
// request, XML <OpResponse><OpResult>… response, <ErrorResponse> errors); CloudWatch is rpcv2 CBOR by
// default, so build CloudWatch clients with CloudWatchQuery (to replay XML) or CloudWatchJSON (to replay
// JSON). A request no route matches fails the test and gets a 400 "InvalidAction" error. Files are read
// relative to the test's package directory.
package awstest
