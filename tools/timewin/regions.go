package timewin

import (
	"strings"
	_ "time/tzdata" // zones must load on hosts without /usr/share/zoneinfo
)

// regionZones maps each AWS region to the IANA zone of the city it serves.
var regionZones = map[string]string{
	"us-east-1":      "America/New_York",    // N. Virginia
	"us-east-2":      "America/New_York",    // Ohio
	"us-west-1":      "America/Los_Angeles", // N. California
	"us-west-2":      "America/Los_Angeles", // Oregon
	"af-south-1":     "Africa/Johannesburg", // Cape Town
	"ap-east-1":      "Asia/Hong_Kong",
	"ap-east-2":      "Asia/Taipei",
	"ap-south-1":     "Asia/Kolkata", // Mumbai
	"ap-south-2":     "Asia/Kolkata", // Hyderabad
	"ap-southeast-1": "Asia/Singapore",
	"ap-southeast-2": "Australia/Sydney",
	"ap-southeast-3": "Asia/Jakarta",
	"ap-southeast-4": "Australia/Melbourne",
	"ap-southeast-5": "Asia/Kuala_Lumpur", // Malaysia
	"ap-southeast-6": "Pacific/Auckland",  // New Zealand
	"ap-southeast-7": "Asia/Bangkok",      // Thailand
	"ap-northeast-1": "Asia/Tokyo",
	"ap-northeast-2": "Asia/Seoul",
	"ap-northeast-3": "Asia/Tokyo",       // Osaka
	"ca-central-1":   "America/Toronto",  // Montréal
	"ca-west-1":      "America/Edmonton", // Calgary
	"eu-central-1":   "Europe/Berlin",    // Frankfurt
	"eu-central-2":   "Europe/Zurich",
	"eu-west-1":      "Europe/Dublin",
	"eu-west-2":      "Europe/London",
	"eu-west-3":      "Europe/Paris",
	"eu-south-1":     "Europe/Rome",   // Milan
	"eu-south-2":     "Europe/Madrid", // Spain
	"eu-north-1":     "Europe/Stockholm",
	"il-central-1":   "Asia/Jerusalem", // Tel Aviv
	"me-south-1":     "Asia/Bahrain",
	"me-central-1":   "Asia/Dubai",          // UAE
	"mx-central-1":   "America/Mexico_City", // Querétaro
	"sa-east-1":      "America/Sao_Paulo",
	"us-gov-east-1":  "America/New_York",    // Ohio
	"us-gov-west-1":  "America/Los_Angeles", // Oregon
	"cn-north-1":     "Asia/Shanghai",       // Beijing
	"cn-northwest-1": "Asia/Shanghai",       // Ningxia
}

// RegionTimezone returns the IANA zone usual for an AWS region, or "UTC" for
// an unknown or empty region.
func RegionTimezone(region string) string {
	if tz, ok := regionZones[strings.ToLower(strings.TrimSpace(region))]; ok {
		return tz
	}
	return "UTC"
}
