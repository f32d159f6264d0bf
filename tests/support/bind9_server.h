#pragma once
// Bind9Server: a real BIND9 `named` for integration tests, primary for one dynamic zone on a
// free loopback port, with TSIG keys made by tsig-keygen, in a temporary directory that is
// removed at teardown. Used by tests/dns (RFC 2136
// provider, verification) — any test that needs an authoritative server that accepts signed
// updates.
//
//   Bind9Server bind;                       // zone example.test, keys below
//   if (!Bind9Server::available()) GTEST_SKIP() << Bind9Server::unavailable_reason();
//   ASSERT_TRUE(bind.start()) << bind.error();
//   bind.port(); bind.key("frankenetes").secret; bind.dig("api.example.test", "A");
//
// Default keys: "frankenetes" (hmac-sha256) and "frankenetes-512" (hmac-sha512), both allowed
// to update anything in the zone; "readonly" (hmac-sha256) is known but has no update grant,
// so its updates are REFUSED. start() waits, with a deadline, until named answers the zone's
// SOA; the destructor sends SIGTERM, then SIGKILL after 5 s. Nothing is written outside the
// temporary directory. Not thread-safe; one instance per test or fixture.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"

namespace frankenetes::testing {

struct Bind9Key {
  std::string name;
  std::string algorithm;  // "hmac-sha256" | "hmac-sha512"
  bool may_update = true;
  std::string secret;  // base64, filled by start() from tsig-keygen
};

struct Bind9Options {
  std::string zone = "example.test";
  std::vector<Bind9Key> keys{{"frankenetes", "hmac-sha256", true, ""},
                             {"frankenetes-512", "hmac-sha512", true, ""},
                             {"readonly", "hmac-sha256", false, ""}};
  // Extra zone-file lines ("api IN A 127.0.0.7"), added after SOA/NS.
  std::vector<std::string> records;
  std::chrono::seconds start_timeout{15};
};

class Bind9Server {
 public:
  explicit Bind9Server(Bind9Options options = {}) : options_(std::move(options)) {}
  ~Bind9Server() { stop(); }
  Bind9Server(const Bind9Server&) = delete;
  Bind9Server& operator=(const Bind9Server&) = delete;

  static std::optional<std::string> find_program(const std::string& name) {
    for (const char* dir :
         {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
      const std::string path = std::string(dir) + "/" + name;
      if (access(path.c_str(), X_OK) == 0) return path;
    }
    return std::nullopt;
  }
  static bool available() { return unavailable_reason().empty(); }
  // "" when named, tsig-keygen and dig are installed; else what is missing.
  static std::string unavailable_reason() {
    std::string missing;
    for (const char* program : {"named", "tsig-keygen", "dig"}) {
      if (!find_program(program)) missing += std::string(missing.empty() ? "" : ", ") + program;
    }
    if (missing.empty()) return "";
    return "BIND9 not installed (missing " + missing +
           "): apt-get install bind9 bind9-dnsutils to run these tests";
  }

  // Starts named; false with error() set on failure. Retries with a new port if the one picked
  // was taken in between.
  bool start() {
    if (!make_directory()) return false;
    for (auto& key : options_.keys) {
      if (!generate_key(key)) return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      if (port_ == 0) return fail("no free loopback port");
      if (!write_files()) return false;
      if (launch() && wait_ready()) return true;
      stop_process();
    }
    return fail("named did not start: " + log());
  }

  void stop() {
    stop_process();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      dir_.clear();
    }
  }

  uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  std::string address() const { return host() + ":" + std::to_string(port_); }
  const std::string& zone() const { return options_.zone; }
  const std::string& directory() const { return dir_; }
  const std::string& error() const { return error_; }
  const Bind9Key& key(const std::string& name) const {
    for (const auto& key : options_.keys) {
      if (key.name == name) return key;
    }
    static const Bind9Key kNone;
    return kNone;
  }
  // named's stderr so far (it runs with -g).
  std::string log() const { return read_file(dir_ + "/named.log"); }

  // `dig +short` for name/type over UDP (or TCP), one line per record, "" when none.
  std::string dig(const std::string& name, const std::string& type, bool tcp = false) const {
    return run("dig @127.0.0.1 -p " + std::to_string(port_) + " " + name + " " + type +
               " +short +time=2 +tries=1" + (tcp ? " +tcp" : "") + " 2>&1");
  }

  // Runs nsupdate with `commands` (without server/zone/send lines) signed by `key_name`;
  // returns its exit status. For tests that change records behind the provider's back.
  int nsupdate(const std::string& key_name, const std::string& commands) const {
    const std::string file = dir_ + "/nsupdate.txt";
    std::ofstream(file) << "server 127.0.0.1 " << port_ << "\nzone " << options_.zone << "\n"
                        << commands << "\nsend\n";
    const Bind9Key& k = key(key_name);
    const std::string cmd = "nsupdate -y " + k.algorithm + ":" + k.name + ":" + k.secret + " " +
                            file + " >/dev/null 2>&1";
    return std::system(cmd.c_str());
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  static std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  static std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return output;
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    pclose(pipe);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
  }

  bool make_directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fk-bind9-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return fail("mkdtemp failed");
    dir_ = pattern;
    return true;
  }

  bool generate_key(Bind9Key& key) {
    const std::string text =
        run(*find_program("tsig-keygen") + " -a " + key.algorithm + " " + key.name);
    const auto start = text.find("secret \"");
    const auto end = start == std::string::npos ? start : text.find('"', start + 8);
    if (end == std::string::npos) return fail("tsig-keygen failed: " + text);
    key.secret = text.substr(start + 8, end - start - 8);
    return true;
  }

  // Binds UDP and TCP to 127.0.0.1:0 and returns the kernel's choice (free on both).
  static uint16_t free_port() {
    for (int tries = 0; tries < 20; ++tries) {
      int tcp = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = 0;
      socklen_t len = sizeof addr;
      if (tcp < 0 || bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (tcp >= 0) close(tcp);
        continue;
      }
      int udp = socket(AF_INET, SOCK_DGRAM, 0);
      const bool udp_ok =
          udp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      if (udp >= 0) close(udp);
      close(tcp);
      if (udp_ok) return ntohs(addr.sin_port);
    }
    return 0;
  }

  bool write_files() {
    std::ofstream keys(dir_ + "/keys.conf");
    for (const auto& key : options_.keys) {
      keys << "key \"" << key.name << "\" {\n  algorithm " << key.algorithm << ";\n  secret \""
           << key.secret << "\";\n};\n";
    }
    keys.close();
    std::ofstream conf(dir_ + "/named.conf");
    conf << "include \"" << dir_ << "/keys.conf\";\n"
         << "options {\n"
         << "  directory \"" << dir_ << "\";\n"
         << "  pid-file \"" << dir_ << "/named.pid\";\n"
         << "  session-keyfile \"" << dir_ << "/session.key\";\n"
         << "  managed-keys-directory \"" << dir_ << "\";\n"
         << "  listen-on port " << port_ << " { 127.0.0.1; };\n"
         << "  listen-on-v6 { none; };\n"
         << "  recursion no;\n"
         << "  notify no;\n"
         << "  allow-query { 127.0.0.0/8; };\n"
         << "  dnssec-validation no;\n"
         << "};\n"
         << "controls { };\n"
         << "zone \"" << options_.zone << "\" {\n"
         << "  type primary;\n"
         << "  file \"" << dir_ << "/zone.db\";\n"
         << "  journal \"" << dir_ << "/zone.db.jnl\";\n"
         << "  update-policy {\n";
    for (const auto& key : options_.keys) {
      if (key.may_update) conf << "    grant " << key.name << " zonesub ANY;\n";
    }
    conf << "  };\n};\n";
    conf.close();
    std::ofstream zone(dir_ + "/zone.db");
    zone << "$ORIGIN " << options_.zone << ".\n$TTL 60\n"
         << "@ IN SOA ns1 hostmaster ( 1 60 60 3600 60 )\n"
         << "  IN NS ns1\n"
         << "ns1 IN A 127.0.0.1\n";
    for (const auto& line : options_.records) zone << line << "\n";
    return true;
  }

  bool launch() {
    const std::string named = *find_program("named");
    const std::string conf = dir_ + "/named.conf";
    const std::string log_path = dir_ + "/named.log";
    // -g: foreground, logs to stderr; -n 1: one worker thread on a shared 2-core machine.
    pid_ = spawn_logged({named, "-g", "-n", "1", "-c", conf}, log_path);
    if (pid_ < 0) return fail("fork failed");
    return true;
  }

  bool wait_ready() {
    const auto why = wait_until_ready(
        pid_, "named", "did not answer", options_.start_timeout,
        [this] { return dig(options_.zone, "SOA").find("hostmaster") != std::string::npos; },
        [this] { return log(); });
    return why.empty() || fail(why);
  }

  void stop_process() { terminate_child(pid_); }

  Bind9Options options_;
  std::string dir_;
  std::string error_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace frankenetes::testing
