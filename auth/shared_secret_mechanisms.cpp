#include "dirmail/auth/shared_secret_mechanisms.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <ctime>

#include <fmt/format.h>

#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/base/base64.hpp"

namespace dirmail::auth {
namespace {

constexpr std::size_t md5_size = 16;

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

bool is_md5_hex(std::string_view s) {
  return s.size() == md5_size * 2 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

bool same_hex(const unsigned char* expected, std::string_view given) {
  if (!is_md5_hex(given)) return false;
  std::string lower(given);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string want = to_hex(expected, md5_size);
  return CRYPTO_memcmp(want.data(), lower.data(), want.size()) == 0;
}

}  // namespace

std::string make_challenge_token(std::string_view hostname) {
  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("no random bytes for a challenge");
  return fmt::format("<{}.{}@{}>", to_hex(random, sizeof random), static_cast<long long>(std::time(nullptr)),
                     hostname);
}

Result<CramMd5Response> decode_cram_md5_response(std::string_view base64_response) {
  if (base64_response.size() > max_sasl_response)
    return make_error(ErrorCode::limit_exceeded, "CRAM-MD5 response too long");
  auto raw = base64_decode(base64_response);
  if (!raw) return std::move(raw).error();
  auto space = raw->rfind(' ');
  if (space == std::string::npos || space == 0)
    return make_error(ErrorCode::invalid_argument, "CRAM-MD5 response is not \"user digest\"");
  CramMd5Response r{raw->substr(0, space), raw->substr(space + 1)};
  if (!is_md5_hex(r.digest)) return make_error(ErrorCode::invalid_argument, "CRAM-MD5 digest is not 32 hex digits");
  for (char c : r.login)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return make_error(ErrorCode::invalid_argument, "control character in the CRAM-MD5 user");
  return r;
}

bool cram_md5_proves(std::string_view secret, std::string_view challenge, std::string_view hex_digest) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_md5(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac, &size) ||
      size != md5_size)
    return false;
  return same_hex(mac, hex_digest);
}

bool apop_proves(std::string_view secret, std::string_view token, std::string_view hex_digest) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, token.data(), token.size()) == 1 &&
            EVP_DigestUpdate(ctx, secret.data(), secret.size()) == 1 && EVP_DigestFinal_ex(ctx, digest, &size) == 1;
  EVP_MD_CTX_free(ctx);
  return ok && size == md5_size && same_hex(digest, hex_digest);
}

}  // namespace dirmail::auth
