#pragma once
// AdminRouter: maps the daemon's admin endpoints to their renderers. Pure: it holds the
// health checks and a metrics-rendering callable and answers http::Requests; the server only
// moves bytes. Later issues add /status and / here.
//   /livez[/<check>]  /readyz[/<check>]  /metrics    (GET and HEAD; other methods 405)

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"
#include "status/health.h"

namespace frankenetes::status {

class AdminRouter {
 public:
  struct Endpoints {
    std::vector<HealthCheck> liveness;
    std::vector<HealthCheck> readiness;
    std::function<std::string()> render_metrics;
    std::string metrics_content_type;
  };

  explicit AdminRouter(Endpoints endpoints) : endpoints_(std::move(endpoints)) {}

  http::Response handle(const http::Request& request) const;

 private:
  Endpoints endpoints_;
};

}  // namespace frankenetes::status
