package awsclient

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/health"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/pi"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// CloudWatch wire protocols. AWS speaks all three; the SDK's default is CBOR, which emulators such as moto
// do not implement (reference/aws.md §2.4).
const (
	ProtocolCBOR  = "cbor"
	ProtocolJSON  = "json"
	ProtocolQuery = "query"
)

// Options configure Load. Zero values mean the SDK's defaults.
type Options struct {
	Region     string
	Profile    string
	RoleARN    string // assumed with STS on top of the resolved credentials
	ExternalID string
	// Endpoint overrides every service's endpoint (moto, LocalStack). The SDK's own AWS_ENDPOINT_URL and
	// AWS_ENDPOINT_URL_<SERVICE> are honoured without it.
	Endpoint           string
	CloudWatchProtocol string // cbor (default), json or query
	MaxAttempts        int    // per call, including the first; default 3
	Version            string // for the app id kida-mcp/<version>
	// Credentials, when set, replace the default chain (tests, demo).
	Credentials aws.CredentialsProvider
	// Isolated ignores shared config/credentials files (tests must never read the developer's AWS setup).
	Isolated   bool
	HTTPClient aws.HTTPClient
}

// Provider is the real Clients: one aws.Config, clients cached per region.
type Provider struct {
	cfg  aws.Config
	opts Options
	mu   sync.Mutex
	c    map[string]any
}

var _ Clients = (*Provider)(nil)

// Load builds the aws.Config once. It makes no network call: credentials are resolved on first use.
func Load(ctx context.Context, o Options) (*Provider, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	switch o.CloudWatchProtocol {
	case "", ProtocolCBOR, ProtocolJSON, ProtocolQuery:
	default:
		return nil, fmt.Errorf("cloudwatch protocol %q: want cbor, json or query", o.CloudWatchProtocol)
	}
	ver := o.Version
	if ver == "" {
		ver = "dev"
	}
	lo := []func(*config.LoadOptions) error{
		config.WithAppID("kida-mcp/" + ver),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = o.MaxAttempts })
		}),
	}
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Endpoint != "" {
		lo = append(lo, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.Credentials != nil {
		lo = append(lo, config.WithCredentialsProvider(o.Credentials))
	}
	if o.Isolated {
		lo = append(lo, config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
			config.WithEC2IMDSClientEnableState(0))
	}
	if o.HTTPClient != nil {
		lo = append(lo, config.WithHTTPClient(o.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if o.RoleARN != "" {
		stsc := sts.NewFromConfig(cfg)
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsc, o.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
			ao.RoleSessionName = "kida-mcp"
			if o.ExternalID != "" {
				ao.ExternalID = aws.String(o.ExternalID)
			}
		}))
	}
	return &Provider{cfg: cfg, opts: o, c: map[string]any{}}, nil
}

// With returns a Provider for another profile and/or role (per-cluster settings in kida.yaml).
func (p *Provider) With(ctx context.Context, profile, roleARN string) (*Provider, error) {
	o := p.opts
	if profile != "" {
		o.Profile = profile
	}
	if roleARN != "" {
		o.RoleARN = roleARN
	}
	if o == p.opts {
		return p, nil
	}
	return Load(ctx, o)
}

// Config returns the loaded aws.Config (read-only use).
func (p *Provider) Config() aws.Config { return p.cfg.Copy() }

// DefaultRegion is the configured region ("" when none).
func (p *Provider) DefaultRegion() string { return p.cfg.Region }

func cached[T any](p *Provider, svc, region string, mk func(aws.Config) T) T {
	key := svc + "/" + region
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.c[key]; ok {
		return c.(T)
	}
	cfg := p.cfg.Copy()
	if region != "" {
		cfg.Region = region
	}
	c := mk(cfg)
	p.c[key] = c
	return c
}

// RDS returns the RDS client for region.
func (p *Provider) RDS(region string) RDSAPI {
	return cached(p, "rds", region, func(c aws.Config) *rds.Client { return rds.NewFromConfig(c) })
}

// CloudWatch returns the CloudWatch client for region, speaking the configured wire protocol.
func (p *Provider) CloudWatch(region string) CloudWatchAPI {
	return cached(p, "cloudwatch", region, func(c aws.Config) *cloudwatch.Client {
		return cloudwatch.NewFromConfig(c, CloudWatchProtocol(p.opts.CloudWatchProtocol))
	})
}

// CloudWatchProtocol returns the client option that selects the CloudWatch wire protocol ("" or cbor keeps
// the SDK default).
func CloudWatchProtocol(name string) func(*cloudwatch.Options) {
	return func(o *cloudwatch.Options) {
		switch strings.ToLower(name) {
		case ProtocolJSON:
			o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
		case ProtocolQuery:
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}
	}
}

// Logs returns the CloudWatch Logs client for region.
func (p *Provider) Logs(region string) LogsAPI {
	return cached(p, "logs", region, func(c aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(c) })
}

// PI returns the Performance Insights client for region.
func (p *Provider) PI(region string) PIAPI {
	return cached(p, "pi", region, func(c aws.Config) *pi.Client { return pi.NewFromConfig(c) })
}

// CloudTrail returns the CloudTrail client for region.
func (p *Provider) CloudTrail(region string) CloudTrailAPI {
	return cached(p, "cloudtrail", region, func(c aws.Config) *cloudtrail.Client { return cloudtrail.NewFromConfig(c) })
}

// Health returns the AWS Health client (global endpoint in us-east-1).
func (p *Provider) Health() HealthAPI {
	return cached(p, "health", "us-east-1", func(c aws.Config) *health.Client { return health.NewFromConfig(c) })
}

// S3 returns the S3 client for region (path-style when an endpoint override is set, as emulators need).
func (p *Provider) S3(region string) S3API { return p.s3(region) }

func (p *Provider) s3(region string) *s3.Client {
	return cached(p, "s3", region, func(c aws.Config) *s3.Client {
		return s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = c.BaseEndpoint != nil })
	})
}

// S3Objects returns the S3 client for region as the object reader/writer of the relay's event archive.
func (p *Provider) S3Objects(region string) S3ObjectsAPI { return p.s3(region) }

// KMS returns the KMS client for region (decrypting KMS-encrypted secrets at cold start).
func (p *Provider) KMS(region string) KMSAPI {
	return cached(p, "kms", region, func(c aws.Config) *kms.Client { return kms.NewFromConfig(c) })
}

// S3Presign returns the presigner for region.
func (p *Provider) S3Presign(region string) S3PresignAPI {
	c := p.s3(region) // outside cached: it holds the lock while building
	return cached(p, "s3presign", region, func(aws.Config) *s3.PresignClient { return s3.NewPresignClient(c) })
}

// SES returns the SES v2 client for region.
func (p *Provider) SES(region string) SESAPI {
	return cached(p, "ses", region, func(c aws.Config) *sesv2.Client { return sesv2.NewFromConfig(c) })
}

// SNS returns the SNS client for region.
func (p *Provider) SNS(region string) SNSAPI {
	return cached(p, "sns", region, func(c aws.Config) *sns.Client { return sns.NewFromConfig(c) })
}

// CredentialsExpiry retrieves the credentials and reports their expiry.
func (p *Provider) CredentialsExpiry(ctx context.Context) (time.Time, bool, error) {
	if p.cfg.Credentials == nil {
		return time.Time{}, false, fmt.Errorf("no AWS credentials configured")
	}
	c, err := p.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	return c.Expires, c.CanExpire, nil
}
