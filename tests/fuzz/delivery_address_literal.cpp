// Fuzzes the address literal route (delivery::address_literal_route): the domain part
// of a recipient comes from any SMTP client.
//
// Checks: nothing but a '['-first text is a literal; a literal's route has one host with
// one address, an IP in canonical form that is not unspecified; refusals are
// invalid_argument.
#include <boost/asio/ip/address.hpp>

#include "dirmail/delivery/address_literal.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view domain = fuzz::as_view(data, size);
  auto route = delivery::address_literal_route(domain);
  FUZZ_CHECK(route.has_value() == domain.starts_with('['));
  if (!route) return 0;
  if (!route->ok()) {
    FUZZ_CHECK(route->error().code == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK((*route)->hosts.size() == 1);
  const auto& host = (*route)->hosts[0];
  FUZZ_CHECK(host.addresses.size() == 1);
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(host.addresses[0], ec);
  FUZZ_CHECK(!ec && !ip.is_unspecified() && ip.to_string() == host.addresses[0]);
  return 0;
}
