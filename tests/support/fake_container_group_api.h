#pragma once
// FakeContainerGroupApi: a reconcile::ContainerGroupApi over an in-memory table of groups.
// Records every call as "list rg", "get etcd", "restart etcd", "put etcd", …; a test sets
// views, scripts errors per operation, and reads calls() back.

#include <deque>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/strings.h"
#include "reconcile/container_group_api.h"

namespace frankenetes::testing {

class FakeContainerGroupApi final : public reconcile::ContainerGroupApi {
 public:
  // A Running group with one container of the same name.
  static model::ContainerGroupView running(const std::string& name, const std::string& ip,
                                           int restarts = 0) {
    model::ContainerGroupView view;
    view.summary.id =
        "/subscriptions/sub/resourceGroups/rg/providers/"
        "Microsoft.ContainerInstance/containerGroups/" +
        name;
    view.summary.name = name;
    view.summary.resource_group = "rg";
    view.summary.provisioning_state = "Succeeded";
    view.summary.ip = ip;
    view.state = "Running";
    model::ContainerView container;
    container.name = name;
    container.restart_count = restarts;
    container.current_state = model::ContainerState{"Running", "", {}, {}, {}};
    view.containers.push_back(container);
    return view;
  }

  void set(const model::ContainerGroupView& view) { groups_[view.summary.name] = view; }
  void remove(const std::string& name) { groups_.erase(name); }
  // The next call of `operation` ("list", "get", "restart", "stop", "start", "delete",
  // "put") fails with `error`.
  void fail_next(const std::string& operation, core::Error error) {
    failures_[operation].push_back(std::move(error));
  }
  // Every call of `operation` fails until cleared.
  void fail_always(const std::string& operation, core::Error error) { always_[operation] = error; }
  // The next call of `operation` throws std::runtime_error (a bug in a codec, say): what a
  // task boundary must contain.
  void throw_next(const std::string& operation) { throws_.insert(operation); }
  void clear_failures() {
    failures_.clear();
    always_.clear();
  }

  // After the next successful delete, the group stays listed as provisioningState Deleting for
  // `gets` more GETs (a slow DELETE).
  void delete_lag(int gets) { delete_lag_ = gets; }
  // Whether a successful delete removes the group and a successful put creates it (default:
  // true). Off, the table only changes by set()/remove().
  void model_mutations(bool on) { model_mutations_ = on; }
  bool exists(const std::string& name) const { return groups_.contains(name); }

  const std::vector<std::string>& calls() const { return calls_; }
  void clear_calls() { calls_.clear(); }
  std::size_t count(const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& c : calls_) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
  std::size_t mutations() const {
    return count("restart") + count("stop") + count("start") + count("delete") + count("put");
  }

  // rg "": the subscription-wide LIST ("list *"); it takes `pages` pages (set_list_pages).
  core::Result<reconcile::GroupListing> list(const std::string&, const std::string& rg) override {
    calls_.push_back("list " + (rg.empty() ? std::string("*") : rg));
    if (auto e = failure("list")) return *e;
    reconcile::GroupListing out;
    out.pages = list_pages_;
    for (const auto& [name, view] : groups_) {
      if (rg.empty() || view.summary.resource_group == rg) out.groups.push_back(view.summary);
    }
    return out;
  }
  void set_list_pages(std::size_t pages) { list_pages_ = pages; }
  core::Result<model::ContainerGroupView> get(const reconcile::ContainerGroupRef& g) override {
    calls_.push_back("get " + g.name);
    if (auto e = failure("get")) return *e;
    const auto it = groups_.find(g.name);
    if (it == groups_.end() || !core::iequals(it->second.summary.resource_group, g.resource_group)) {
      return not_found(g.name);
    }
    if (deleting_.contains(g.name)) {
      if (deleting_[g.name]-- <= 0) {
        deleting_.erase(g.name);
        groups_.erase(it);
        return not_found(g.name);
      }
      auto view = it->second;
      view.summary.provisioning_state = "Deleting";
      return view;
    }
    return it->second;
  }
  core::Status restart(const reconcile::ContainerGroupRef& g) override {
    return mutate("restart", g);
  }
  core::Status stop(const reconcile::ContainerGroupRef& g) override { return mutate("stop", g); }
  core::Status start(const reconcile::ContainerGroupRef& g) override { return mutate("start", g); }
  core::Status delete_group(const reconcile::ContainerGroupRef& g) override {
    auto status = mutate("delete", g);
    if (status.ok() && model_mutations_) {
      if (!groups_.contains(g.name)) return not_found(g.name);
      if (delete_lag_ > 0) {
        deleting_[g.name] = delete_lag_;
        delete_lag_ = 0;
      } else {
        groups_.erase(g.name);
      }
    }
    return status;
  }
  core::Status create_or_update(const reconcile::ContainerGroupRef& g,
                                const std::string& spec) override {
    last_spec_ = spec;
    auto status = mutate("put", g);
    if (status.ok() && model_mutations_) {
      deleting_.erase(g.name);
      groups_[g.name] = running(g.name, "10.0.0.99");
    }
    return status;
  }
  // ARM's answer for a missing group: 404 with the ResourceNotFound envelope.
  static core::Error not_found(const std::string& name) {
    auto e = error(core::ErrorKind::kNotFound,
                   "The Resource 'Microsoft.ContainerInstance/containerGroups/" + name +
                       "' was not found.",
                   404);
    e.azure_code = "ResourceNotFound";
    return e;
  }
  const std::string& last_spec() const { return last_spec_; }

  static core::Error error(core::ErrorKind kind, std::string message, int status = 0) {
    return core::make_error(kind, std::move(message), status);
  }

 private:
  std::optional<core::Error> failure(const std::string& op) {
    if (throws_.erase(op) > 0) throw std::runtime_error("injected: " + op + " threw");
    if (auto it = always_.find(op); it != always_.end()) return it->second;
    auto& q = failures_[op];
    if (q.empty()) return std::nullopt;
    auto e = q.front();
    q.pop_front();
    return e;
  }
  core::Status mutate(const std::string& op, const reconcile::ContainerGroupRef& g) {
    calls_.push_back(op + " " + g.name);
    if (auto e = failure(op)) return *e;
    return {};
  }

  std::map<std::string, model::ContainerGroupView> groups_;
  std::map<std::string, int> deleting_;
  std::set<std::string> throws_;  // group -> GETs left while Deleting
  int delete_lag_ = 0;
  bool model_mutations_ = true;
  std::map<std::string, std::deque<core::Error>> failures_;
  std::map<std::string, core::Error> always_;
  std::vector<std::string> calls_;
  std::string last_spec_;
  std::size_t list_pages_ = 1;
};

}  // namespace frankenetes::testing
