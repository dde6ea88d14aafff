// Package readme holds the code the README shows, so that it compiles and
// passes like any other test (and cannot drift from the README).
package readme
