#include "sim/container_command.h"

#include <algorithm>

#include "core/strings.h"

namespace frankenetes::sim {

namespace {

std::string basename(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "gcr.io/google-containers/hyperkube-amd64:v1.9.2" → repository without tag/digest.
std::string repository(const std::string& image) {
  auto at = image.find('@');
  std::string repo = image.substr(0, at);
  const auto colon = repo.find_last_of(':');
  const auto slash = repo.find_last_of('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo = repo.substr(0, colon);
  return repo;
}

std::string tag(const std::string& image) {
  const auto colon = image.find_last_of(':');
  const auto slash = image.find_last_of('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return image.substr(colon + 1);
}

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// `sh -c "etcd --x"` → the inner words, so shell-wrapped commands still get recognised.
std::vector<std::string> unwrap_shell(const std::vector<std::string>& command) {
  if (command.size() >= 3 && (basename(command[0]) == "sh" || basename(command[0]) == "bash") &&
      command[1] == "-c") {
    return split_ws(command[2]);
  }
  if (command.size() == 1 && command[0].find(' ') != std::string::npos) return split_ws(command[0]);
  return command;
}

MemberRole role_from_binary(const std::string& word) {
  const auto b = basename(word);
  if (b == "etcd") return MemberRole::kEtcd;
  if (b == "apiserver" || b == "kube-apiserver") return MemberRole::kApiserver;
  if (b == "controller-manager" || b == "kube-controller-manager") return MemberRole::kControllerManager;
  if (b == "scheduler" || b == "kube-scheduler") return MemberRole::kScheduler;
  return MemberRole::kGeneric;
}

bool is_etcd_image(const std::string& repo) {
  static const char* kEtcd[] = {"quay.io/coreos/etcd", "registry.k8s.io/etcd", "k8s.gcr.io/etcd",
                                "gcr.io/etcd-development/etcd", "bitnami/etcd", "etcd"};
  for (const char* e : kEtcd) {
    if (repo == e) return true;
  }
  return false;
}

const std::vector<std::string>& etcd_bool_flags() {
  static const std::vector<std::string> kFlags = {
      "client-cert-auth", "peer-client-cert-auth", "auto-tls", "peer-auto-tls", "force-new-cluster",
      "enable-v2", "debug", "strict-reconfig-check", "enable-pprof", "version", "enable-grpc-gateway",
      "pre-vote", "proxy-read-only"};
  return kFlags;
}

const std::vector<std::string>& kube_bool_flags() {
  static const std::vector<std::string> kFlags = {
      "allow-privileged", "enable-swagger-ui", "leader-elect", "use-service-account-credentials",
      "kubelet-https", "enable-bootstrap-token-auth", "anonymous-auth", "profiling", "logtostderr"};
  return kFlags;
}

std::string flag_value(const std::vector<Flag>& flags, const std::string& name, const std::string& fallback = {}) {
  std::string out = fallback;
  for (const auto& f : flags) {
    if (f.name == name && f.has_value) out = f.value;
  }
  return out;
}

bool has_flag(const std::vector<Flag>& flags, const std::string& name) {
  return std::any_of(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
}

bool is_unspecified_host(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "localhost" || host == "[::]" || host == "::" ||
         core::starts_with(host, "127.");
}

std::vector<std::string> base_env(const LaunchContext& ctx) {
  std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                  "HOME=" + ctx.paths.rootfs};
  const auto& props = ctx.container_properties;
  if (props.contains("environmentVariables") && props["environmentVariables"].is_array()) {
    for (const auto& e : props["environmentVariables"]) {
      if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) continue;
      std::string value;
      if (e.contains("value") && e["value"].is_string()) value = e["value"];
      if (e.contains("secureValue") && e["secureValue"].is_string()) value = e["secureValue"];
      env.push_back(e["name"].get<std::string>() + "=" + value);
    }
  }
  return env;
}

LaunchPlan plan_etcd(const LaunchContext& ctx, const std::vector<std::string>& command) {
  LaunchPlan plan;
  plan.role = MemberRole::kEtcd;
  plan.cwd = ctx.paths.rootfs;
  plan.env = base_env(ctx);
  plan.directories.push_back(ctx.paths.rootfs);
  std::vector<std::string> args;
  if (!command.empty()) args.assign(command.begin() + 1, command.end());
  const auto flags = parse_flags(args, etcd_bool_flags());
  const auto& ip = ctx.ip;
  const std::string name = flag_value(flags, "name", "default");
  plan.argv.push_back(ctx.etcd_binary);
  static const std::vector<std::string> kPathFlags = {
      "data-dir", "wal-dir", "cert-file", "key-file", "trusted-ca-file", "peer-cert-file", "peer-key-file",
      "peer-trusted-ca-file", "client-crl-file", "peer-crl-file"};
  for (const auto& f : flags) {
    std::string value = f.value;
    if (f.name == "listen-client-urls" || f.name == "listen-peer-urls" || f.name == "listen-metrics-urls" ||
        f.name == "initial-advertise-peer-urls") {
      value = rebind_urls(value, ip, false);
    } else if (f.name == "advertise-client-urls") {
      value = rebind_urls(value, ip, true);
    } else if (f.name == "initial-cluster") {
      std::string out;
      for (const auto& entry : core::split(value, ',')) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        out += (out.empty() ? "" : ",") + entry.substr(0, eq + 1) + rebind_urls(entry.substr(eq + 1), ip, false);
      }
      value = out;
    } else if (std::find(kPathFlags.begin(), kPathFlags.end(), f.name) != kPathFlags.end() && !value.empty()) {
      value = ctx.paths.map(value);
      if (f.name == "data-dir" || f.name == "wal-dir") plan.directories.push_back(value.substr(0, value.find_last_of('/')));
    } else if (f.name == "log-outputs") {
      std::string out;
      for (const auto& o : core::split(value, ',')) {
        out += (out.empty() ? "" : ",") + (core::starts_with(o, "/") ? ctx.paths.map(o) : o);
      }
      value = out;
    }
    plan.argv.push_back("--" + f.name + (f.has_value ? "=" + value : ""));
  }
  // etcd's defaults bind localhost:2379/2380, which every group would share on one host.
  if (!has_flag(flags, "listen-client-urls")) plan.argv.push_back("--listen-client-urls=http://" + ip + ":2379");
  if (!has_flag(flags, "advertise-client-urls")) plan.argv.push_back("--advertise-client-urls=http://" + ip + ":2379");
  if (!has_flag(flags, "listen-peer-urls")) plan.argv.push_back("--listen-peer-urls=http://" + ip + ":2380");
  if (!has_flag(flags, "initial-advertise-peer-urls")) {
    plan.argv.push_back("--initial-advertise-peer-urls=http://" + ip + ":2380");
  }
  if (!has_flag(flags, "initial-cluster")) plan.argv.push_back("--initial-cluster=" + name + "=http://" + ip + ":2380");
  return plan;
}

std::string version_of(const std::string& image) {
  const auto t = tag(image);
  return core::starts_with(t, "v") ? t : "v1.9.2";
}

void add_port(std::vector<int>& ports, int p) {
  if (p > 0 && p < 65536 && std::find(ports.begin(), ports.end(), p) == ports.end()) ports.push_back(p);
}

int int_flag(const std::vector<Flag>& flags, const std::string& name, int fallback) {
  const auto v = flag_value(flags, name);
  if (v.empty()) return fallback;
  try {
    return std::stoi(v);
  } catch (...) {
    return fallback;
  }
}

LaunchPlan plan_stub(const LaunchContext& ctx, MemberRole role, const std::vector<std::string>& command) {
  LaunchPlan plan;
  plan.role = role;
  plan.cwd = ctx.paths.rootfs;
  plan.env = base_env(ctx);
  plan.directories.push_back(ctx.paths.rootfs);
  std::vector<std::string> args;
  std::size_t first = 1;
  if (!command.empty() && basename(command[0]) == "hyperkube") first = 2;
  if (command.size() > first) args.assign(command.begin() + static_cast<long>(first), command.end());
  const auto flags = parse_flags(args, kube_bool_flags());
  std::vector<int> ports;
  std::vector<std::string> depends;
  switch (role) {
    case MemberRole::kApiserver:
      add_port(ports, int_flag(flags, "insecure-port", 8080));
      add_port(ports, int_flag(flags, "secure-port", 6443));
      for (const auto& url : core::split(flag_value(flags, "etcd-servers"), ',')) {
        if (!url.empty()) depends.push_back((url.back() == '/' ? url.substr(0, url.size() - 1) : url) + "/health");
      }
      break;
    case MemberRole::kControllerManager:
    case MemberRole::kScheduler: {
      const int default_port = role == MemberRole::kControllerManager ? 10252 : 10251;
      add_port(ports, int_flag(flags, "port", default_port));
      add_port(ports, int_flag(flags, "secure-port", 0));
      const auto master = flag_value(flags, "master");
      if (!master.empty()) depends.push_back((master.back() == '/' ? master.substr(0, master.size() - 1) : master) + "/healthz");
      break;
    }
    default:
      break;
  }
  const auto& props = ctx.container_properties;
  if (role == MemberRole::kGeneric || ports.empty()) {
    if (props.contains("ports") && props["ports"].is_array()) {
      for (const auto& p : props["ports"]) {
        if (p.is_object() && p.contains("port") && p["port"].is_number_integer()) add_port(ports, p["port"].get<int>());
      }
    }
  }
  plan.argv = {ctx.self_exe, "member-stub", "--role", to_string(role), "--bind", ctx.ip, "--name", ctx.name,
               "--version", version_of(ctx.image), "--control-url", ctx.control_url};
  for (int p : ports) {
    plan.argv.push_back("--port");
    plan.argv.push_back(std::to_string(p));
  }
  for (const auto& d : depends) {
    plan.argv.push_back("--depends");
    plan.argv.push_back(d);
  }
  return plan;
}

}  // namespace

const char* to_string(MemberRole role) {
  switch (role) {
    case MemberRole::kEtcd: return "etcd";
    case MemberRole::kApiserver: return "apiserver";
    case MemberRole::kControllerManager: return "controller-manager";
    case MemberRole::kScheduler: return "scheduler";
    case MemberRole::kGeneric: return "generic";
  }
  return "generic";
}

std::string PathMapper::map(const std::string& container_path) const {
  std::string path = container_path;
  if (path.empty() || path[0] != '/') path = "/" + path;
  std::size_t best = 0;
  const std::string* host = nullptr;
  for (const auto& [mount, dir] : mounts) {
    std::string m = mount;
    while (m.size() > 1 && m.back() == '/') m.pop_back();
    const bool match = path == m || core::starts_with(path, m == "/" ? m : m + "/");
    if (match && m.size() >= best) {
      best = m.size();
      host = &dir;
    }
  }
  if (host) return *host + (best == 1 ? path : path.substr(best));
  return rootfs + path;
}

std::vector<Flag> parse_flags(const std::vector<std::string>& args, const std::vector<std::string>& bool_flags) {
  std::vector<Flag> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.size() < 2 || a[0] != '-') continue;  // positional: ignored
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    Flag f;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      f.name = name.substr(0, eq);
      f.value = name.substr(eq + 1);
      f.has_value = true;
    } else {
      f.name = name;
      const bool is_bool = std::find(bool_flags.begin(), bool_flags.end(), name) != bool_flags.end();
      if (!is_bool && i + 1 < args.size() && (args[i + 1].empty() || args[i + 1][0] != '-')) {
        f.value = args[++i];
        f.has_value = true;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string rebind_urls(const std::string& urls, const std::string& ip, bool only_unspecified) {
  std::string out;
  for (const auto& url : core::split(urls, ',')) {
    std::string u = url;
    const auto scheme = u.find("://");
    if (scheme != std::string::npos) {
      const auto host_start = scheme + 3;
      auto host_end = u.find_first_of(":/", u[host_start] == '[' ? u.find(']', host_start) : host_start);
      if (host_end == std::string::npos) host_end = u.size();
      const auto host = u.substr(host_start, host_end - host_start);
      if (!only_unspecified || is_unspecified_host(host)) u = u.substr(0, host_start) + ip + u.substr(host_end);
    }
    out += (out.empty() ? "" : ",") + u;
  }
  return out;
}

MemberRole classify(const std::string& image, const std::vector<std::string>& command) {
  const auto repo = repository(image);
  const auto words = unwrap_shell(command);
  if (is_etcd_image(repo)) {
    if (words.empty() || role_from_binary(words[0]) == MemberRole::kEtcd) return MemberRole::kEtcd;
    return MemberRole::kGeneric;
  }
  const auto base = basename(repo);
  if (core::starts_with(base, "hyperkube")) {
    if (words.empty()) return MemberRole::kGeneric;
    if (basename(words[0]) == "hyperkube" && words.size() > 1) return role_from_binary(words[1]);
    return role_from_binary(words[0]);
  }
  if (core::starts_with(base, "kube-apiserver")) return MemberRole::kApiserver;
  if (core::starts_with(base, "kube-controller-manager")) return MemberRole::kControllerManager;
  if (core::starts_with(base, "kube-scheduler")) return MemberRole::kScheduler;
  return MemberRole::kGeneric;
}

LaunchPlan plan_launch(const LaunchContext& ctx) {
  const auto role = classify(ctx.image, ctx.command);
  const auto words = unwrap_shell(ctx.command);
  if (role == MemberRole::kEtcd) return plan_etcd(ctx, words);
  // kube-* images whose command starts with flags: the binary is the entrypoint.
  std::vector<std::string> command = words;
  if (!command.empty() && !command[0].empty() && command[0][0] == '-') command.insert(command.begin(), "entrypoint");
  return plan_stub(ctx, role, command);
}

}  // namespace frankenetes::sim
