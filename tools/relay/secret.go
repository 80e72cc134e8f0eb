package relay

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
)

// KMSSecret is a webhook URL stored as KMS ciphertext (base64), as the CloudWatch-to-Slack Lambda blueprint
// keeps it: encrypted with `aws kms encrypt --encryption-context LambdaFunctionName=<function>` and
// decrypted at cold start with the same context.
type KMSSecret struct {
	// Key is the kida.yaml key for messages (relay.destinations.oncall.slack).
	Key string
	// From says where the ciphertext came from for messages ("env kmsEncryptedHookUrl").
	From       string
	Ciphertext string // base64
	Context    map[string]string
	Region     string // the key's region
}

// Decrypt decrypts s with kms.Decrypt and returns the webhook URL as a Secret. A URL without a scheme
// ("hooks.slack.com/services/…", as the blueprint stores it) gets https://. Errors name the likely cause
// (encryption context, kms:Decrypt permission, region) and never contain the plaintext.
func Decrypt(ctx context.Context, api awsclient.KMSAPI, s KMSSecret) (delivery.Secret, error) {
	raw := strings.Join(strings.Fields(s.Ciphertext), "")
	blob, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		if blob, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(raw, "=")); err != nil {
			return delivery.Secret{}, fmt.Errorf("%s: the KMS ciphertext (%s) is not base64; paste the CiphertextBlob that `aws kms encrypt` printed", s.Key, s.From)
		}
	}
	in := &kms.DecryptInput{CiphertextBlob: blob}
	if len(s.Context) > 0 {
		in.EncryptionContext = s.Context
	}
	out, err := api.Decrypt(ctx, in)
	if err != nil {
		return delivery.Secret{}, fmt.Errorf("%s: %s", s.Key, decryptError(err, s))
	}
	v := strings.TrimSpace(string(out.Plaintext))
	if strings.HasPrefix(v, "hooks.slack.com/") {
		v = "https://" + v
	}
	if err := delivery.CheckWebhook(v); err != nil {
		return delivery.Secret{}, fmt.Errorf("%s: the KMS plaintext (%s) %v; encrypt the incoming webhook URL itself (the value is not shown)", s.Key, s.From, err)
	}
	return delivery.NewSecret(v), nil
}

// decryptError explains a failed kms:Decrypt: the likely cause first, then the other two.
func decryptError(err error, s KMSSecret) string {
	code, msg := "", ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
	}
	ctxText := "no encryption context"
	if len(s.Context) > 0 {
		ctxText = "encryption context " + contextString(s.Context)
	}
	region := s.Region
	if region == "" {
		region = "the default region"
	}
	head := fmt.Sprintf("cannot decrypt the KMS ciphertext (%s) with kms:Decrypt in %s using %s", s.From, region, ctxText)
	switch {
	case code != "" && strings.TrimSpace(msg) != "":
		head += fmt.Sprintf(" (%s: %s)", code, strings.TrimSpace(msg))
	case code != "":
		head += " (" + code + ")"
	default:
		head += fmt.Sprintf(" (%v)", err)
	}
	checks := map[string]string{
		"context": "the encryption context must be exactly the one used to encrypt (the blueprint's is LambdaFunctionName=<function name>: set kms_encryption_context to it, or re-encrypt with `aws kms encrypt --encryption-context ...`)",
		"access":  "the role needs kms:Decrypt on the key, in its IAM policy and in the key policy",
		"region":  "the key must be in " + region + " (set kms_region to the key's region)",
	}
	order := []string{"access", "context", "region"}
	switch {
	case code == "InvalidCiphertextException":
		order = []string{"context", "access", "region"}
		head += ". Likely cause: a wrong encryption context (or a truncated ciphertext)"
	case code == "AccessDeniedException" && strings.Contains(msg, "does not exist in this region"):
		order = []string{"region", "access", "context"}
		head += ". Likely cause: the key is in another region, or the role lacks kms:Decrypt on it"
	case code == "AccessDeniedException":
		head += ". Likely cause: missing kms:Decrypt permission"
	case code == "NotFoundException", code == "IncorrectKeyException":
		order = []string{"region", "context", "access"}
		head += ". Likely cause: the key is not in " + region
	case code == "DisabledException", code == "KMSInvalidStateException":
		head += ". The key is disabled or pending deletion: enable it (or cancel the deletion)"
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, checks[k])
	}
	return head + ". Check: " + strings.Join(parts, "; ") + "."
}

func contextString(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(k + "=" + m[k])
	}
	return b.String()
}
