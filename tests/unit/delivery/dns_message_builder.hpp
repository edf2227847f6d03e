#pragma once
// DNS replies built byte by byte, for the resolver's tests and the fuzz seeds: a
// question and answer records, names written out in full (no compression) unless a
// record is appended raw.
#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dirmail::delivery::testing {

class DnsMessageBuilder {
 public:
  DnsMessageBuilder(const std::string& qname, std::uint16_t qtype, std::uint8_t rcode = 0) {
    u16(0x1234);                                         // id
    u16(static_cast<std::uint16_t>(0x8180 | rcode));     // response, RD, RA
    u16(1);                                              // one question
    u16(0);                                              // answers: set by bytes()
    u16(0);
    u16(0);
    name(qname);
    u16(qtype);
    u16(1);
  }

  DnsMessageBuilder& mx(const std::string& owner, std::uint16_t preference, const std::string& exchange,
                        std::uint32_t ttl = 300) {
    std::vector<unsigned char> rdata;
    rdata.push_back(static_cast<unsigned char>(preference >> 8));
    rdata.push_back(static_cast<unsigned char>(preference));
    append_name(rdata, exchange);
    return record(owner, 15, ttl, rdata);
  }
  DnsMessageBuilder& a(const std::string& owner, const std::string& ip, std::uint32_t ttl = 300) {
    unsigned char buf[4];
    inet_pton(AF_INET, ip.c_str(), buf);
    return record(owner, 1, ttl, std::vector<unsigned char>(buf, buf + 4));
  }
  DnsMessageBuilder& aaaa(const std::string& owner, const std::string& ip, std::uint32_t ttl = 300) {
    unsigned char buf[16];
    inet_pton(AF_INET6, ip.c_str(), buf);
    return record(owner, 28, ttl, std::vector<unsigned char>(buf, buf + 16));
  }
  DnsMessageBuilder& cname(const std::string& owner, const std::string& target, std::uint32_t ttl = 300) {
    std::vector<unsigned char> rdata;
    append_name(rdata, target);
    return record(owner, 5, ttl, rdata);
  }
  DnsMessageBuilder& record(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                            const std::vector<unsigned char>& rdata) {
    name(owner);
    u16(type);
    u16(1);
    u16(static_cast<std::uint16_t>(ttl >> 16));
    u16(static_cast<std::uint16_t>(ttl));
    u16(static_cast<std::uint16_t>(rdata.size()));
    bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
    ++answers_;
    return *this;
  }
  // Bytes of an answer record written by the test itself (compression, bad lengths).
  DnsMessageBuilder& raw_record(const std::vector<unsigned char>& bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    ++answers_;
    return *this;
  }

  std::vector<unsigned char> bytes() const {
    auto out = bytes_;
    out[6] = static_cast<unsigned char>(answers_ >> 8);
    out[7] = static_cast<unsigned char>(answers_);
    return out;
  }

  static void append_name(std::vector<unsigned char>& out, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
      std::size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      out.push_back(static_cast<unsigned char>(dot - start));
      out.insert(out.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
      start = dot + 1;
    }
    out.push_back(0);
  }

 private:
  void u16(std::uint16_t v) {
    bytes_.push_back(static_cast<unsigned char>(v >> 8));
    bytes_.push_back(static_cast<unsigned char>(v));
  }
  void name(const std::string& n) { append_name(bytes_, n); }

  std::vector<unsigned char> bytes_;
  std::uint16_t answers_ = 0;
};

}  // namespace dirmail::delivery::testing
