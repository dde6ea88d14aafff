// Package gen holds the client and models that oapi-codegen generates from
// api/openapi.yaml. It is an implementation detail of package straddle: do not
// edit the generated file by hand; change the spec and run `make generate`.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../api/oapi-codegen.yaml ../api/openapi.yaml
