#include "dirmail/delivery/dns_answer.hpp"

#include <arpa/inet.h>
#include <ares.h>

#include <algorithm>

#include "dirmail/base/strings.hpp"

namespace dirmail::delivery {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::uint16_t kClassIn = 1;
constexpr std::size_t kMaxQuestions = 4;

Error malformed(std::string what) { return make_error(ErrorCode::protocol_error, "malformed DNS reply: " + what); }

// Reads a DNS message front to back; every read checks the bounds.
class MessageReader {
 public:
  explicit MessageReader(std::span<const unsigned char> message) : m_(message) {}

  std::size_t position() const { return pos_; }
  bool skip(std::size_t n) {
    if (m_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool u16(std::uint16_t& out) {
    if (m_.size() - pos_ < 2) return false;
    out = static_cast<std::uint16_t>(m_[pos_] << 8 | m_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) {
    std::uint16_t hi = 0, lo = 0;
    if (!u16(hi) || !u16(lo)) return false;
    out = static_cast<std::uint32_t>(hi) << 16 | lo;
    return true;
  }
  // A possibly compressed name at the current position; c-ares follows the pointers
  // (and refuses loops). The root comes back as "".
  bool name(std::string& out) { return name_at(pos_, out, &pos_); }
  bool name_at(std::size_t at, std::string& out, std::size_t* next) const {
    if (at >= m_.size()) return false;
    char* text = nullptr;
    long encoded_length = 0;
    if (ares_expand_name(m_.data() + at, m_.data(), static_cast<int>(m_.size()), &text, &encoded_length) !=
        ARES_SUCCESS)
      return false;
    out = text;
    ares_free_string(text);
    if (next != nullptr) *next = at + static_cast<std::size_t>(encoded_length);
    return true;
  }

 private:
  std::span<const unsigned char> m_;
  std::size_t pos_ = 0;
};

struct Record {
  std::string owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata = 0;  // offset in the message
  std::uint16_t rdlength = 0;
};

std::string without_final_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::string(name);
}

// The names whose records answer the question: the asked name and the CNAME chain.
std::vector<std::string> chain_of(const std::string& asked, const std::vector<Record>& records,
                                  const MessageReader& reader, std::uint32_t& cname_ttl) {
  std::vector<std::string> chain{asked};
  for (std::size_t step = 0; step < kMaxCnameChain; ++step) {
    bool followed = false;
    for (const Record& r : records) {
      if (r.type != static_cast<std::uint16_t>(net::DnsType::cname) || !iequals(r.owner, chain.back())) continue;
      std::string target;
      std::size_t end = 0;
      if (!reader.name_at(r.rdata, target, &end) || end > r.rdata + r.rdlength || target.empty()) break;
      if (std::any_of(chain.begin(), chain.end(), [&](const std::string& n) { return iequals(n, target); })) break;
      chain.push_back(std::move(target));
      cname_ttl = std::min(cname_ttl, r.ttl);
      followed = true;
      break;
    }
    if (!followed) break;
  }
  return chain;
}

}  // namespace

bool is_usable_host_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxDomainName) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

Result<DnsAnswer> read_dns_answer(std::span<const unsigned char> message, std::string_view name,
                                  net::DnsType type) {
  if (message.size() > kMaxDnsMessage) return malformed("larger than 65535 bytes");
  if (message.size() < kHeaderSize) return malformed("shorter than its header");
  MessageReader reader(message);
  std::uint16_t id = 0, flags = 0, questions = 0, answers = 0;
  if (!reader.u16(id) || !reader.u16(flags) || !reader.u16(questions) || !reader.u16(answers) || !reader.skip(4))
    return malformed("truncated header");
  if ((flags & 0x8000) == 0) return malformed("not a response");
  if (questions > kMaxQuestions) return malformed("more than 4 questions");
  for (std::uint16_t i = 0; i < questions; ++i) {
    std::string ignored;
    if (!reader.name(ignored) || !reader.skip(4)) return malformed("truncated question");
  }

  DnsAnswer answer;
  std::vector<Record> records;
  const std::size_t readable = std::min<std::size_t>(answers, kMaxAnswerRecords);
  if (answers > readable) answer.ignored += answers - readable;
  for (std::size_t i = 0; i < readable; ++i) {
    Record r;
    std::uint16_t klass = 0;
    if (!reader.name(r.owner) || !reader.u16(r.type) || !reader.u16(klass) || !reader.u32(r.ttl) ||
        !reader.u16(r.rdlength))
      return malformed("truncated answer record");
    r.rdata = reader.position();
    if (!reader.skip(r.rdlength)) return malformed("record data past the end");
    if (klass != kClassIn) continue;
    if (r.ttl > INT32_MAX) r.ttl = 0;  // RFC 2181 §8: a TTL with the top bit set counts as 0
    records.push_back(std::move(r));
  }

  const auto chain = chain_of(without_final_dot(name), records, reader, answer.cname_ttl);
  auto in_chain = [&](const std::string& owner) {
    return std::any_of(chain.begin(), chain.end(), [&](const std::string& n) { return iequals(n, owner); });
  };
  for (const Record& r : records) {
    if (r.type != static_cast<std::uint16_t>(type) || !in_chain(r.owner)) continue;
    if (type == net::DnsType::mx) {
      MessageReader rdata(message.first(r.rdata + r.rdlength));
      std::uint16_t preference = 0;
      std::string exchange;
      std::size_t end = 0;
      if (r.rdlength < 3 || !rdata.skip(r.rdata) || !rdata.u16(preference) ||
          !reader.name_at(r.rdata + 2, exchange, &end) || end > r.rdata + r.rdlength) {
        ++answer.ignored;
        continue;
      }
      if (!exchange.empty() && !is_usable_host_name(exchange)) {
        ++answer.ignored;
        continue;
      }
      answer.mx.push_back(MxRecord{preference, to_lower(exchange), r.ttl});
    } else if (type == net::DnsType::a || type == net::DnsType::aaaa) {
      const bool v6 = type == net::DnsType::aaaa;
      if (r.rdlength != (v6 ? 16 : 4)) {
        ++answer.ignored;
        continue;
      }
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(v6 ? AF_INET6 : AF_INET, message.data() + r.rdata, text, sizeof text);
      answer.addresses.push_back(AddressRecord{text, v6, r.ttl});
    }
  }
  return answer;
}

}  // namespace dirmail::delivery
