// Package api embeds the straddle-go OpenAPI document, so that tests, the
// emulator and tools can load the contract without file paths.
package api

import _ "embed"

// OpenAPI is api/openapi.yaml, the contract of the Straddle customers API.
//
//go:embed openapi.yaml
var OpenAPI []byte
