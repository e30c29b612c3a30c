// Package openapiclient is the Go client that oapi-codegen (pinned in
// tools/go.mod) generates from api/openapi.yaml, committed so that go test
// needs no generation step; `make apiclientcheck` fails when it is not what
// the contract gives. Only tests import it: the conformance run drives every
// operation of the contract through it (internal/server/conformance_generated_test.go).
package openapiclient

//go:generate go tool -modfile=../../../tools/go.mod oapi-codegen -config oapi-codegen.yaml ../../../api/openapi.yaml
