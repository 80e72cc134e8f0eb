package awstest

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// newConfig builds an aws.Config from scratch (no config.LoadDefaultConfig), so nothing comes from the
// developer's AWS_* variables, ~/.aws files, SSO caches or IMDS.
func newConfig(region, url string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("test", "test", "")),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		RetryMode:        aws.RetryModeStandard,
		// moto quirk: moto_server 5.2.1 answers gzip-compressed request bodies (PutMetricData is
		// compressed by the SDK) with HTTP 500 "BadGzipFile: Not a gzipped file". A hand-built
		// aws.Config has RequestMinCompressSizeBytes 0, i.e. compress every PutMetricData; with
		// LoadDefaultConfig (10 KiB threshold) only big batches are compressed and fail.
		DisableRequestCompression: true,
		HTTPClient: awshttp.NewBuildableClient().
			WithTimeout(30 * time.Second).
			WithTransportOptions(func(tr *http.Transport) { tr.Proxy = nil }),
	}
}
