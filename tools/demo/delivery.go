package demo

import (
	"context"
	"errors"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Delivery in demo mode writes to the outbox folder instead of the network (issue: delivery).

var errNoOutbox = errors.New("demo delivery is not wired yet")

type deliveryAPI struct {
	f      *Fleet
	region string
}

// S3 implements awsclient.Clients.
func (f *Fleet) S3(region string) awsclient.S3API { return &deliveryAPI{f: f, region: region} }

// S3Presign implements awsclient.Clients.
func (f *Fleet) S3Presign(region string) awsclient.S3PresignAPI {
	return &deliveryAPI{f: f, region: region}
}

// SES implements awsclient.Clients.
func (f *Fleet) SES(region string) awsclient.SESAPI { return &deliveryAPI{f: f, region: region} }

// SNS implements awsclient.Clients.
func (f *Fleet) SNS(region string) awsclient.SNSAPI { return &deliveryAPI{f: f, region: region} }

func (d *deliveryAPI) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, errNoOutbox
}

func (d *deliveryAPI) PresignGetObject(context.Context, *s3.GetObjectInput, ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	return nil, errNoOutbox
}

func (d *deliveryAPI) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return nil, errNoOutbox
}

func (d *deliveryAPI) Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return nil, errNoOutbox
}
