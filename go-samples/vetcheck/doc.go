// Package vetcheck deliberately contains one planted problem per file for
// go vet and staticcheck to find. It compiles, but must never be used.
//
// Every offending line ends in a PLANTED marker comment naming the plant;
// PLANTED.json lists them with the tool expected to report each one.
package vetcheck
