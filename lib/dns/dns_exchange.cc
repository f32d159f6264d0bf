#include "dns/dns_exchange.h"

#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/time_source.h"

namespace frankenetes::dns::detail {
namespace {

using core::make_error;

// RFC 1035 §4.2.1: UDP messages are limited to 512 octets (no EDNS0 on updates).
constexpr size_t kMaxUdpRequest = 512;

struct BufferDeleter {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
struct WireDeleter {
  void operator()(uint8_t* p) const { std::free(p); }  // ldns allocates with malloc
};

bool is_base64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::string out(text.size(), '\0');
  return EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                         reinterpret_cast<const unsigned char*>(text.data()),
                         static_cast<int>(text.size())) >= 0;
}

std::string absolute(std::string name) {
  if (name.empty() || name.back() != '.') name += '.';
  return name;
}

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

core::Result<Address> resolve(const config::HostPort& server) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(server.port);
  if (int rc = getaddrinfo(server.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return make_error(
        rc == EAI_AGAIN ? core::ErrorKind::kTransient : core::ErrorKind::kInvalidConfig,
        "dns server '" + server.to_string() + "': " + gai_strerror(rc));
  }
  Address address;
  std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
  address.length = found->ai_addrlen;
  freeaddrinfo(found);
  return address;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// ldns_tcp_send() gives each read its own timeout ("the time allowed between packets"), so a
// server sending its answer one byte at a time could hold the exchange for up to 65 537 such
// timeouts. This is the same exchange (connect, send the length-prefixed request, read the
// length-prefixed answer) with one deadline for all of it. Same contract as ldns_tcp_send():
// on success *answer is malloc'ed and *size its length.
ldns_status tcp_send(uint8_t** answer, ldns_buffer* wire, const Address& address,
                     std::chrono::milliseconds budget, size_t* size) {
  const core::RealTimeSource time{};  // poll() waits on the real clock
  const auto until = time.monotonic_time() + budget;
  const int fd = ldns_tcp_connect2(&address.storage, address.length, to_timeval(budget));
  if (fd < 0) return LDNS_STATUS_NETWORK_ERR;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (ldns_tcp_send_query(wire, fd, &address.storage, address.length) <= 0) {
    return LDNS_STATUS_NETWORK_ERR;
  }
  auto read_exactly = [&](uint8_t* out, size_t wanted) {
    size_t got = 0;
    while (got < wanted) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - time.monotonic_time());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      const ssize_t n = ::recv(fd, out + got, wanted - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  };
  uint8_t prefix[2] = {0, 0};
  if (!read_exactly(prefix, sizeof prefix)) return LDNS_STATUS_NETWORK_ERR;
  const size_t length = (static_cast<size_t>(prefix[0]) << 8) | prefix[1];
  std::unique_ptr<uint8_t, WireDeleter> data(static_cast<uint8_t*>(std::malloc(length + 1)));
  if (!data || !read_exactly(data.get(), length)) return LDNS_STATUS_NETWORK_ERR;
  *answer = data.release();
  *size = length;
  return LDNS_STATUS_OK;
}

}  // namespace

const char* tsig_algorithm_name(config::TsigAlgorithm algorithm) {
  return algorithm == config::TsigAlgorithm::kHmacSha512 ? "hmac-sha512." : "hmac-sha256.";
}

ldns_rdf* make_dname(const std::string& name) {
  return ldns_dname_new_frm_str(absolute(name).c_str());
}

core::Result<Exchange> exchange(ldns_pkt* request, const config::HostPort& server,
                                const std::optional<TsigKey>& key, const ExchangeOptions& options) {
  // ldns waits in select() on the real clock, so the deadline is read from it too.
  const core::RealTimeSource time{};
  const auto deadline = time.monotonic_time() + options.timeout;
  auto address = resolve(server);
  if (!address.ok()) return address.error();

  const std::string key_name = key ? absolute(key->name) : std::string();
  if (key) {
    if (!is_base64(key->secret.reveal())) {
      return make_error(core::ErrorKind::kInvalidConfig,
                        "TSIG key '" + key->name + "': the secret is not valid base64");
    }
    const ldns_status signed_status =
        ldns_pkt_tsig_sign(request, key_name.c_str(), key->secret.reveal().c_str(), options.fudge,
                           tsig_algorithm_name(key->algorithm), nullptr);
    if (signed_status != LDNS_STATUS_OK) {
      return make_error(core::ErrorKind::kInvalidConfig,
                        "TSIG key '" + key->name +
                            "': signing failed: " + ldns_get_errorstr_by_id(signed_status));
    }
  }
  std::unique_ptr<ldns_buffer, BufferDeleter> wire(ldns_buffer_new(LDNS_MAX_PACKETLEN));
  if (!wire || ldns_pkt2buffer_wire(wire.get(), request) != LDNS_STATUS_OK) {
    return make_error(core::ErrorKind::kTerminal, "dns: cannot encode the request");
  }

  bool use_tcp = options.force_tcp || ldns_buffer_position(wire.get()) > kMaxUdpRequest;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - time.monotonic_time());
    const char* proto = use_tcp ? "TCP" : "UDP";
    if (left.count() <= 0) {
      return core::timeout_error("dns " + server.to_string() + " over " + proto +
                                 ": timed out after " + std::to_string(options.timeout.count()) +
                                 "ms");
    }
    uint8_t* raw = nullptr;
    size_t size = 0;
    const auto sent_at = time.monotonic_time();
    const ldns_status sent = use_tcp ? tcp_send(&raw, wire.get(), *address, left, &size)
                                     : ldns_udp_send(&raw, wire.get(), &address->storage,
                                                     address->length, to_timeval(left), &size);
    std::unique_ptr<uint8_t, WireDeleter> answer(raw);
    if (sent != LDNS_STATUS_OK || !answer) {
      // ldns reports a timeout as a generic network error; tell them apart by the time spent
      // (its select() may wake a little before our deadline).
      const bool timed_out =
          time.monotonic_time() - sent_at + std::chrono::milliseconds(20) >= left;
      const std::string where = "dns " + server.to_string() + " over " + proto + ": ";
      if (timed_out) {
        return core::timeout_error(where + "timed out after " +
                                   std::to_string(options.timeout.count()) + "ms");
      }
      return make_error(core::ErrorKind::kTransient, where + ldns_get_errorstr_by_id(sent));
    }
    auto read = read_answer(request, answer.get(), size, use_tcp, key, server.to_string());
    if (!read.ok()) return read.error();
    if (!*read) {
      use_tcp = true;  // RFC 2181 §9: retry the whole exchange over TCP
      continue;
    }
    return std::move(**read);
  }
}

core::Result<std::optional<Exchange>> read_answer(const ldns_pkt* request, const uint8_t* wire,
                                                  size_t size, bool used_tcp,
                                                  const std::optional<TsigKey>& key,
                                                  const std::string& server) {
  ldns_pkt* parsed = nullptr;
  if (ldns_wire2pkt(&parsed, wire, size) != LDNS_STATUS_OK || parsed == nullptr) {
    return make_error(core::ErrorKind::kTerminal,
                      "dns " + server + ": malformed answer (" + std::to_string(size) + " octets)");
  }
  PacketPtr reply(parsed);
  if (!ldns_pkt_qr(reply.get()) || ldns_pkt_id(reply.get()) != ldns_pkt_id(request)) {
    return make_error(core::ErrorKind::kTerminal,
                      "dns " + server + ": answer does not match the request id");
  }
  if (ldns_pkt_tc(reply.get()) && !used_tcp) return std::optional<Exchange>();
  Exchange result;
  result.used_tcp = used_tcp;
  if (key) {
    const std::string key_name = absolute(key->name);
    ldns_rr* tsig = ldns_pkt_tsig(reply.get());
    if (tsig == nullptr) {
      result.tsig = TsigOutcome::kUnsigned;
    } else {
      // TSIG RDATA (RFC 8945 §4.2): algorithm, time, fudge, MAC, original id, error, other.
      if (ldns_rr_rd_count(tsig) > 5 && ldns_rdf_size(ldns_rr_rdf(tsig, 5)) == 2) {
        result.tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
      }
      const ldns_rdf* request_mac = ldns_rr_rdf(ldns_pkt_tsig(request), 3);
      const bool verified = ldns_pkt_tsig_verify(reply.get(), wire, size, key_name.c_str(),
                                                 key->secret.reveal().c_str(), request_mac);
      // ldns takes the TSIG RR out of the packet while it computes the MAC and, when that fails
      // (an algorithm it does not know, found by fuzz/fuzz_dns_message), returns without putting
      // it back: the RR would leak with every such answer. Put it back so the packet frees it.
      if (ldns_pkt_tsig(reply.get()) == nullptr) ldns_pkt_set_tsig(reply.get(), tsig);
      result.tsig =
          verified ? TsigOutcome::kVerified
                   : (result.tsig_error != 0 ? TsigOutcome::kError : TsigOutcome::kBadSignature);
    }
  }
  result.reply = std::move(reply);
  return std::optional<Exchange>(std::move(result));
}

}  // namespace frankenetes::dns::detail
