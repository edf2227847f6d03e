// Fuzzes the CRAM-MD5 response decoder and the shared-secret proofs
// (auth/shared_secret_mechanisms.hpp). The input is used three ways:
//   - as the client's base64 text, and as the decoded message (encoded here, so the
//     fuzzer reaches "login SP digest" without spelling base64): a model says which
//     messages are accepted (a non-empty login without control characters, the last
//     space, exactly 32 hex digits); an accepted response re-encodes to the same text
//     and decodes to the same login and digest; text over max_sasl_response is a limit;
//   - as "secret LF challenge": the digest a client would compute (OpenSSL's HMAC-MD5
//     and MD5 here) proves in either case, and any changed, shortened or lengthened
//     digest does not.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/auth/shared_secret_mechanisms.hpp"
#include "dirmail/base/base64.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Whether a decoded CRAM-MD5 message is acceptable: "login SP digest" split at the
// last space.
bool acceptable(std::string_view message) {
  const auto space = message.rfind(' ');
  if (space == std::string_view::npos || space == 0) return false;
  const std::string_view login = message.substr(0, space);
  const std::string_view digest = message.substr(space + 1);
  if (digest.size() != 32) return false;
  for (char c : digest)
    if (!is_hex(c)) return false;
  for (char c : login)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

void check_text(std::string_view text) {
  auto response = auth::decode_cram_md5_response(text);
  if (text.size() > auth::max_sasl_response) {
    FUZZ_CHECK(!response.ok() && response.error().code == ErrorCode::limit_exceeded);
    return;
  }
  auto message = base64_decode(text);
  if (!message) {
    FUZZ_CHECK(!response.ok() && response.error().code == ErrorCode::invalid_argument);
    return;
  }
  FUZZ_CHECK(response.ok() == acceptable(*message));
  if (!response) {
    FUZZ_CHECK(response.error().code == ErrorCode::invalid_argument);
    return;
  }
  FUZZ_CHECK(!response->login.empty());
  FUZZ_CHECK(response->digest.size() == 32);
  FUZZ_CHECK(response->login + " " + response->digest == *message);
  // Re-encoded, the response is the same text (base64 has one spelling per message)
  // and decodes to the same login and digest.
  const std::string again = base64_encode(response->login + " " + response->digest);
  FUZZ_CHECK(again == text);
  auto redecoded = auth::decode_cram_md5_response(again);
  FUZZ_CHECK(redecoded.ok() && redecoded->login == response->login && redecoded->digest == response->digest);
}

std::string hex(const unsigned char* data, unsigned int size, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

// `proves(digest)` holds for the right digest in either case and for no near miss.
template <typename Proves>
void check_proof(const std::string& right, const std::string& right_upper, std::uint8_t pick, Proves proves) {
  FUZZ_CHECK(proves(right));
  FUZZ_CHECK(proves(right_upper));
  std::string changed = right;
  const std::size_t at = pick % changed.size();
  changed[at] = changed[at] == '0' ? 'f' : '0';
  FUZZ_CHECK(!proves(changed));
  FUZZ_CHECK(!proves(right.substr(0, right.size() - 1)));
  FUZZ_CHECK(!proves(right + "0"));
  FUZZ_CHECK(!proves(""));
}

void check_proofs(std::string_view input) {
  const std::uint8_t pick = fuzz::take_byte(input);
  // Owned copies, as the callers hold them (a view of no input may have no data).
  const std::string secret(fuzz::take_field(input, '\n'));
  const std::string challenge(input);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  FUZZ_CHECK(HMAC(EVP_md5(), secret.data(), static_cast<int>(secret.size()),
                  reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac, &mac_size));
  check_proof(hex(mac, mac_size, false), hex(mac, mac_size, true), pick,
              [&](std::string_view d) { return auth::cram_md5_proves(secret, challenge, d); });

  const std::string joined = challenge + secret;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_size = 0;
  FUZZ_CHECK(EVP_Digest(joined.data(), joined.size(), md, &md_size, EVP_md5(), nullptr) == 1);
  check_proof(hex(md, md_size, false), hex(md, md_size, true), pick,
              [&](std::string_view d) { return auth::apop_proves(secret, challenge, d); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);
  check_text(input);
  check_text(base64_encode(input));
  check_proofs(input);
  return 0;
}
