#include "dirmail/auth/secret_sealing.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include "dirmail/base/base64.hpp"
#include "dirmail/base/private_file.hpp"

namespace dirmail::auth {
namespace {

constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t max_sealed_text = 4096;

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<SealingKey> SealingKey::load(const std::string& path) {
  auto text = posix::read_private_file(path, 256);
  if (!text) return std::move(text).error();
  std::string line = *text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
  auto raw = base64_decode(line);
  if (!raw || raw->size() != size)
    return make_error(ErrorCode::invalid_argument,
                      path + " is not a secrets key (one line of base64, 32 bytes); make one with "
                             "dirmailctl secret set, which creates it");
  SealingKey key;
  std::copy(raw->begin(), raw->end(), key.key_.begin());
  sodium_memzero(raw->data(), raw->size());
  return key;
}

Result<SealingKey> SealingKey::create(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return make_error(ErrorCode::already_exists, path + " already exists");
  if (!sodium_ready()) return make_error(ErrorCode::internal, "libsodium could not be initialised");
  SealingKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.key_.data());
  std::string text = base64_encode(std::string_view(reinterpret_cast<const char*>(key.key_.data()), size)) + "\n";
  if (auto st2 = posix::write_private_file(path, text); !st2) return std::move(st2).error();
  return key;
}

std::string SealingKey::seal(std::string_view login, std::string_view secret) const {
  sodium_ready();
  std::string out(nonce_size + secret.size() + tag_size, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, nonce_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + nonce_size, &written, bytes(secret), secret.size(),
                                             bytes(login), login.size(), nullptr, nonce, key_.data());
  out.resize(nonce_size + written);
  return base64_encode(out);
}

Result<std::string> SealingKey::open(std::string_view login, std::string_view sealed) const {
  if (sealed.size() > max_sealed_text) return make_error(ErrorCode::invalid_argument, "sealed secret too long");
  auto raw = base64_decode(sealed);
  if (!raw || raw->size() < nonce_size + tag_size)
    return make_error(ErrorCode::invalid_argument, "sealed secret is not base64 of nonce, text and tag");
  sodium_ready();
  std::string secret(raw->size() - nonce_size - tag_size, '\0');
  unsigned long long written = 0;
  const auto* nonce = bytes(*raw);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(secret.data()), &written, nullptr,
                                                 nonce + nonce_size, raw->size() - nonce_size, bytes(login),
                                                 login.size(), nonce, key_.data()) != 0)
    return make_error(ErrorCode::invalid_argument, "sealed secret does not open with this key for this login");
  secret.resize(written);
  return secret;
}

}  // namespace dirmail::auth
