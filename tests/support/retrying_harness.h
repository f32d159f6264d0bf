#pragma once
// RetryingHarness: an http::RetryingTransport over fakes (a FakeTransport answering from a
// script, a FakeSleeper advancing a FakeTimeSource), with the budget, gate and policy in the
// open so a test can set them before make(). arm_request() is the ARM GET the tests send. For
// the tests of the retry stack (tests/http) and of ARM's gate key (tests/azure).

#include <string>
#include <utility>

#include "http/retrying_transport.h"
#include "support/fake_sleeper.h"
#include "support/fake_transport.h"

namespace frankenetes::testing {

inline constexpr const char* kArmGroupUrl =
    "https://management.azure.com/subscriptions/sub-1/resourceGroups/cp/providers/"
    "Microsoft.ContainerInstance/containerGroups/etcd?api-version=2023-05-01";

// A request as the ACI client sends it (operation "aci.get").
inline http::ClientRequest arm_request(std::string method = "GET", std::string url = kArmGroupUrl) {
  http::ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.operation = "aci.get";
  return r;
}

struct RetryingHarness {
  // `gate_key` groups the URLs one 429 holds back (ThrottleGate; by default their origin).
  explicit RetryingHarness(http::RetryBudgetSettings budget_settings = {},
                           http::ThrottleKey gate_key = {})
      : budget(budget_settings), gate(time, std::move(gate_key)) {}

  FakeTimeSource time;
  FakeTransport inner{&time};
  FakeSleeper sleeper{time};
  http::RetryBudget budget;
  http::ThrottleGate gate;
  http::RetryPolicy policy;
  double random = 0.5;  // what the jitter draws

  http::RetryingTransport make() {
    return http::RetryingTransport(inner, budget, gate, time, sleeper, policy,
                                   [this] { return random; });
  }
};

}  // namespace frankenetes::testing
