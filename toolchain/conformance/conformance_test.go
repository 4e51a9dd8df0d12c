// The Gateway API conformance suite, compiled into one test binary by scripts/toolchain.sh.
// The suite's own flags (-gateway-class, -conformance-profiles, -report-output, ...) drive it;
// `agc conformance` passes them and reads this binary's `-test.v` output.
package conformance_test

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunConformance(t)
}
