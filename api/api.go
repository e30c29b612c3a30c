// Package api holds the Keymate API's contract, openapi.yaml, which the
// server serves at GET /openapi.yaml and its conformance test holds it to.
package api

import _ "embed" // for OpenAPI

// OpenAPI is openapi.yaml, the OpenAPI 3 document of the Keymate API.
//
//go:embed openapi.yaml
var OpenAPI []byte
