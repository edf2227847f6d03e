#pragma once
// A net::DnsClient answering from a table the test fills: (name, type) -> reply.
// Questions not in the table get NXDOMAIN. Records every question asked.
#include <map>
#include <mutex>
#include <utility>

#include "dirmail/net/dns_query.hpp"
#include "dns_message_builder.hpp"

namespace dirmail::delivery::testing {

class FakeDns final : public net::DnsClient {
 public:
  void answer(const std::string& name, net::DnsType type, const DnsMessageBuilder& message) {
    replies_[{name, type}] = net::DnsReply{net::DnsStatus::answered, message.bytes()};
  }
  void answer_raw(const std::string& name, net::DnsType type, std::vector<unsigned char> bytes) {
    replies_[{name, type}] = net::DnsReply{net::DnsStatus::answered, std::move(bytes)};
  }
  void fail(const std::string& name, net::DnsType type, net::DnsStatus status) {
    replies_[{name, type}] = net::DnsReply{status, {}};
  }

  Result<std::vector<net::DnsReply>> ask(const std::vector<net::DnsQuestion>& questions) override {
    std::lock_guard lock(mutex_);
    std::vector<net::DnsReply> out;
    for (const auto& q : questions) {
      asked.push_back(q);
      auto it = replies_.find({q.name, q.type});
      out.push_back(it != replies_.end() ? it->second : net::DnsReply{net::DnsStatus::no_such_name, {}});
    }
    return out;
  }

  std::vector<net::DnsQuestion> asked;

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, net::DnsType>, net::DnsReply> replies_;
};

}  // namespace dirmail::delivery::testing
