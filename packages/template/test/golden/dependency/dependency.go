// Package dependency mirrors the consul-template structs that templates see,
// so the goldens cover struct fields, methods and their printing.
package dependency

// ServiceAddress mirrors api.ServiceAddress.
type ServiceAddress struct {
	Address string
	Port    int
}

// AgentWeights mirrors api.AgentWeights.
type AgentWeights struct {
	Passing int
	Warning int
}

// HealthCheck stands in for api.HealthCheck (the goldens keep Checks empty).
type HealthCheck struct{}

// ServiceTags is consul-template's tag list.
type ServiceTags []string

// Contains reports whether the tag is present.
func (t ServiceTags) Contains(s string) bool {
	for _, v := range t {
		if v == s {
			return true
		}
	}
	return false
}

// HealthService is consul-template's service entry, field for field.
type HealthService struct {
	Node                   string
	NodeID                 string
	NodeAddress            string
	NodeTaggedAddresses    map[string]string
	NodeMeta               map[string]string
	ServiceMeta            map[string]string
	Address                string
	ServiceTaggedAddresses map[string]ServiceAddress
	ID                     string
	Name                   string
	Tags                   ServiceTags
	Checks                 []*HealthCheck
	Status                 string
	Port                   int
	Weights                AgentWeights
}
