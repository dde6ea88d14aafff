package straddletest

import (
	"fmt"
	"net/http"
	"strings"
)

// The account model, as the service has it: every API key belongs to an
// account of its own; a platform's key may also act for the platform's
// connected accounts, by naming one in Straddle-Account-Id. No key acts for
// any other account.

// platform is one WithPlatform: a key and the accounts connected to it.
type platform struct {
	key      string
	accounts []string
}

// setUpAccounts settles the keys the server accepts (those of WithAPIKeys,
// then the platforms' keys, each once), each key's own account, and each
// platform key's connected accounts. Errors never quote a key.
func (s *Server) setUpAccounts() error {
	seen := map[string]bool{}
	for i, k := range s.cfg.keys {
		if k == "" {
			return fmt.Errorf("straddletest: WithAPIKeys: key %d is empty", i+1)
		}
		if !seen[k] {
			seen[k] = true
			s.keys = append(s.keys, k)
		}
	}
	platformOf := map[string]int{}
	for i, p := range s.cfg.platforms {
		if p.key == "" {
			return fmt.Errorf("straddletest: WithPlatform %d: the key is empty", i+1)
		}
		if !seen[p.key] {
			seen[p.key] = true
			s.keys = append(s.keys, p.key)
		}
		if s.connected[p.key] == nil {
			s.connected[p.key] = map[string]bool{}
		}
		for j, a := range p.accounts {
			if !isUUID(a) {
				return fmt.Errorf("straddletest: WithPlatform %d: connected account %d is not a valid uuid", i+1, j+1)
			}
			a = strings.ToLower(a)
			if other, taken := platformOf[a]; taken && s.cfg.platforms[other].key != p.key {
				return fmt.Errorf("straddletest: WithPlatform %d: connected account %s is already connected to platform %d", i+1, a, other+1)
			}
			platformOf[a] = i
			s.connected[p.key][a] = true
		}
	}
	if len(s.keys) == 0 {
		return fmt.Errorf("straddletest: WithAPIKeys needs at least one key")
	}
	for _, k := range s.keys {
		s.accounts[k] = accountFor(k)
	}
	return nil
}

// accountExists reports whether some key may act for the account: it is a
// key's own account or a platform's connected account.
func (s *Server) accountExists(id string) bool {
	for _, own := range s.accounts {
		if own == id {
			return true
		}
	}
	for _, conn := range s.connected {
		if conn[id] {
			return true
		}
	}
	return false
}

// scope settles the account an authenticated request acts for, from its
// Straddle-Account-Id header: none means the key's own account; the key's
// own account or one of its platform's connected accounts is taken; any other
// account gets the service's 403, and a header that is not one uuid its 400.
func (s *Server) scope(c *call) *response {
	vals := c.r.Header.Values("Straddle-Account-Id")
	switch {
	case len(vals) == 0:
		return nil
	case len(vals) > 1:
		return s.errorResponse(c, badRequest(item("Straddle-Account-Id", "must be sent once.")))
	case !isUUID(vals[0]):
		return s.errorResponse(c, badRequest(item("Straddle-Account-Id", "must be a valid uuid.")))
	}
	account := strings.ToLower(vals[0])
	if account != c.account && !s.connected[c.apiKey][account] {
		e := newAPIError(http.StatusForbidden, "The API key may not act for this account.")
		e.items = []errorItem{item("Straddle-Account-Id", "is neither the key's own account nor one of its platform's connected accounts.")}
		return s.errorResponse(c, e)
	}
	c.account = account
	return nil
}
