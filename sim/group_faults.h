#pragma once
// GroupFaults: faults aimed at one container group, for testing that a client never makes
// things worse on evidence that only looks bad:
//   - not found: the next N GETs of the group answer 404, either with ARM's own
//     ResourceNotFound envelope (indistinguishable from a deleted group) or with an HTML page
//     such as a proxy in front of ARM sends. The group itself is untouched and stays listed.
//   - restartCount omitted: the next N GETs (or every GET until cleared) carry container
//     instance views without `restartCount`.
//   - slow delete: the next N DELETEs of the group take a given time before the group is
//     gone (the async operation stays InProgress and the group stays in provisioningState
//     Deleting, readable and listed, until then).
// Set through the control API (/groups/{rg}/{name}/faults/...) or the scenario's fault
// schedule; consulted by ArmApi (GET, DELETE) and ControlApi (DELETE). Keys are
// ContainerGroup::key(). Pure: no I/O, no clock; consuming a fault is the caller's call.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"

namespace frankenetes::sim {

enum class NotFoundBody { kArm, kHtml };

// What one GET of a group gets instead of the plain truth.
struct GetFault {
  std::optional<NotFoundBody> not_found;
  bool omit_restart_count = false;
  std::string label() const;  // for the request log: "notFound:arm", "omitRestartCount", ""
};

class GroupFaults {
 public:
  static constexpr int kUntilCleared = -1;

  // `count` > 0, or kUntilCleared where noted.
  void set_not_found(const std::string& key, int count, NotFoundBody body);
  void set_omit_restart_count(const std::string& key, int count);  // count may be kUntilCleared
  void set_slow_delete(const std::string& key, core::Duration duration, int count);

  // `kind` is "notFound", "omitRestartCount", "slowDelete" or "" (all of them). False when
  // the kind is unknown.
  bool clear(const std::string& key, const std::string& kind = {});
  void clear_all() { groups_.clear(); }

  // One GET of an existing group that would answer 200: what to do instead, consuming one
  // count of each fault that applies. A 404 takes precedence and consumes only itself.
  GetFault take_get(const std::string& key);
  // One DELETE of an existing group that starts a deletion: how long it takes, if slowed.
  std::optional<core::Duration> take_delete(const std::string& key);

  // {"notFound": {"count": 2, "body": "arm"}, "omitRestartCount": {"count": -1},
  //  "slowDelete": {"seconds": 30, "count": 1}}; absent kinds are left out.
  nlohmann::json describe(const std::string& key) const;
  // {"<rg>/<name>": describe(key), ...} for every group with a fault.
  nlohmann::json describe_all() const;

 private:
  struct Faults {
    int not_found = 0;
    NotFoundBody not_found_body = NotFoundBody::kArm;
    int omit_restart_count = 0;  // kUntilCleared = every GET
    int slow_delete = 0;
    core::Duration delete_duration{0};
    bool empty() const { return not_found == 0 && omit_restart_count == 0 && slow_delete == 0; }
  };
  void forget_if_empty(const std::string& key);

  std::map<std::string, Faults> groups_;
};

// Control-API JSON for each fault, strictly checked (unknown keys, wrong types and
// out-of-range values are errors with http_status 400):
//   notFound          {"count": 1.., "body": "arm" | "html"}   (count default 1, body "arm")
//   omitRestartCount  {"count": 1..}                           (no count: until cleared)
//   slowDelete        {"seconds": > 0, "count": 1..}           (count default 1)
// `ignore` names keys that belong to the caller (the /actions form's "action", "group", ...).
struct NotFoundFault {
  int count = 1;
  NotFoundBody body = NotFoundBody::kArm;
};
struct OmitRestartCountFault {
  int count = GroupFaults::kUntilCleared;
};
struct SlowDeleteFault {
  core::Duration duration{0};
  int count = 1;
};
core::Result<NotFoundFault> parse_not_found_fault(const nlohmann::json& j,
                                                  const std::vector<std::string>& ignore = {});
core::Result<OmitRestartCountFault> parse_omit_restart_count_fault(
    const nlohmann::json& j, const std::vector<std::string>& ignore = {});
core::Result<SlowDeleteFault> parse_slow_delete_fault(const nlohmann::json& j,
                                                      const std::vector<std::string>& ignore = {});

// A 404 page as nginx (a typical reverse proxy) sends it, for NotFoundBody::kHtml.
inline constexpr const char* kProxyNotFoundHtml =
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

}  // namespace frankenetes::sim
