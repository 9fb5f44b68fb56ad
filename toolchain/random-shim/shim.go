// Package shim recreates pulumi-random's provider/shim module, which its go.mod pulls in by
// a local replace (`=> ./shim`) and which no module proxy serves. The upstream random
// provider's constructor lives in an internal package: only code whose import path is under
// github.com/terraform-providers/terraform-provider-random may import it, hence this path.
//
// Unverified: the Go proxy on the build machine never served pulumi-random's provider/v4
// module, so this file has not been compiled against it (see docs/toolchain.md).
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	p "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream Terraform random provider.
func NewProvider() provider.Provider {
	return p.New()
}
