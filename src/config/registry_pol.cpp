#include "dirmail/config/registry_pol.hpp"

#include <algorithm>
#include <optional>

#include "dirmail/base/strings.hpp"
#include "utf16le.hpp"

namespace dirmail::config {
namespace {

constexpr std::string_view kSignature = "PReg";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 8;

std::uint32_t le32(std::string_view bytes, std::size_t at) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < 4; ++i)
    n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return n;
}

std::uint64_t le64(std::string_view bytes, std::size_t at) {
  return le32(bytes, at) | (static_cast<std::uint64_t>(le32(bytes, at + 4)) << 32);
}

void put_le(std::string& out, std::uint64_t n, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
}

bool known_type(std::uint32_t type) {
  switch (static_cast<RegistryType>(type)) {
    case RegistryType::None:
    case RegistryType::String:
    case RegistryType::ExpandString:
    case RegistryType::Binary:
    case RegistryType::Dword:
    case RegistryType::DwordBigEndian:
    case RegistryType::MultiString:
    case RegistryType::Qword: return true;
  }
  return false;
}

// Walks a file, keeping the offset that an error names.
class PolReader {
 public:
  explicit PolReader(std::string_view file) : file_(file) {}

  Result<std::vector<RegistryPolEntry>> read() {
    if (file_.size() > kMaxRegistryPolBytes) {
      return make_error(ErrorCode::limit_exceeded,
                        "the file is larger than " + std::to_string(kMaxRegistryPolBytes / (1024 * 1024)) + " MiB");
    }
    if (file_.size() < kHeaderBytes || file_.substr(0, 4) != kSignature) {
      return make_error(ErrorCode::invalid_argument, "byte 0: not a Registry.pol file (no \"PReg\" signature)");
    }
    if (const std::uint32_t version = le32(file_, 4); version != kVersion) {
      return make_error(ErrorCode::invalid_argument,
                        "byte 4: Registry.pol version " + std::to_string(version) + " is not supported (only 1)");
    }
    pos_ = kHeaderBytes;
    std::vector<RegistryPolEntry> entries;
    while (pos_ < file_.size()) {
      entry_ = entries.size() + 1;
      if (entries.size() == kMaxRegistryPolEntries) {
        return make_error(ErrorCode::limit_exceeded,
                          at(pos_) + "more than " + std::to_string(kMaxRegistryPolEntries) + " entries");
      }
      auto entry = read_entry();
      if (!entry) return std::move(entry).error();
      entries.push_back(std::move(*entry));
    }
    return entries;
  }

 private:
  std::string at(std::size_t offset) const {
    return "byte " + std::to_string(offset) + ": " + (entry_ == 0 ? "" : "entry " + std::to_string(entry_) + ": ");
  }

  Error damaged(std::size_t offset, std::string_view what) const {
    return make_error(ErrorCode::invalid_argument, at(offset) + std::string(what));
  }

  // One UTF-16 character `c` ('[', ';' or ']') at the current offset.
  Status expect(char c, std::string_view where) {
    if (file_.size() - pos_ < 2) {
      return damaged(pos_, "the file ends where '" + std::string(1, c) + "' " + std::string(where) + " should be");
    }
    if (file_[pos_] != c || file_[pos_ + 1] != '\0') {
      return damaged(pos_, "expected '" + std::string(1, c) + "' " + std::string(where));
    }
    pos_ += 2;
    return ok_status();
  }

  // A NUL-terminated UTF-16LE string of at most `max_units` code units before the NUL.
  Result<std::string> read_name(std::string_view what, std::size_t max_units) {
    const std::size_t start = pos_;
    std::size_t end = start;
    while (true) {
      if (file_.size() - end < 2) return damaged(end, "the file ends inside the " + std::string(what));
      if (file_[end] == '\0' && file_[end + 1] == '\0') break;
      if ((end - start) / 2 == max_units) {
        return make_error(ErrorCode::limit_exceeded, at(start) + "the " + std::string(what) + " is longer than " +
                                                         std::to_string(max_units) + " characters");
      }
      end += 2;
    }
    std::size_t bad = 0;
    auto text = detail::utf16le_to_utf8(file_.substr(start, end - start), bad);
    if (!text) return damaged(start + bad, "the " + std::string(what) + " has an unpaired UTF-16 surrogate");
    pos_ = end + 2;
    return std::move(*text);
  }

  Result<std::uint32_t> read_u32(std::string_view what) {
    if (file_.size() - pos_ < 4) return damaged(pos_, "the file ends inside the " + std::string(what));
    const std::uint32_t n = le32(file_, pos_);
    pos_ += 4;
    return n;
  }

  // UTF-16LE text of a string value; `offset` is where the data starts in the file.
  Result<std::string> decode_text(std::string_view data, std::size_t offset) const {
    if (data.size() % 2 != 0) {
      return damaged(offset, "string data has an odd length (" + std::to_string(data.size()) + " bytes)");
    }
    std::size_t bad = 0;
    auto text = detail::utf16le_to_utf8(data, bad);
    if (!text) return damaged(offset + bad, "string data has an unpaired UTF-16 surrogate");
    return std::move(*text);
  }

  // `size_at`, `offset`: where the size field and the data start in the file.
  Result<RegistryData> decode(RegistryType type, std::string_view data, std::size_t size_at, std::size_t offset) const {
    const auto fixed = [&](std::size_t want) -> Status {
      if (data.size() == want) return ok_status();
      return damaged(size_at, "size " + std::to_string(data.size()) + " does not match " +
                                  std::string(to_string(type)) + " (" + std::to_string(want) + " bytes)");
    };
    switch (type) {
      case RegistryType::String:
      case RegistryType::ExpandString: {
        auto text = decode_text(data, offset);
        if (!text) return std::move(text).error();
        // Windows reads a string value up to its first NUL.
        text->resize(std::min(text->size(), text->find('\0')));
        return RegistryData{std::move(*text)};
      }
      case RegistryType::MultiString: {
        auto text = decode_text(data, offset);
        if (!text) return std::move(text).error();
        std::vector<std::string> strings;
        // The list ends at its first empty string (the double NUL).
        for (std::string_view rest = *text; !rest.empty();) {
          const std::size_t nul = rest.find('\0');
          const std::string_view one = rest.substr(0, nul);
          if (one.empty()) break;
          strings.emplace_back(one);
          rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
        }
        return RegistryData{std::move(strings)};
      }
      case RegistryType::Dword: DIRMAIL_TRY(fixed(4)); return RegistryData{std::uint64_t{le32(data, 0)}};
      case RegistryType::DwordBigEndian: {
        DIRMAIL_TRY(fixed(4));
        std::uint64_t n = 0;
        for (char c : data) n = (n << 8) | static_cast<unsigned char>(c);
        return RegistryData{n};
      }
      case RegistryType::Qword: DIRMAIL_TRY(fixed(8)); return RegistryData{le64(data, 0)};
      case RegistryType::Binary:
      case RegistryType::None: return RegistryData{RegistryBytes{std::string(data)}};
    }
    return damaged(offset, "unknown value type");
  }

  Result<RegistryPolEntry> read_entry() {
    RegistryPolEntry entry;
    DIRMAIL_TRY(expect('[', "to open an entry"));
    const std::size_t key_at = pos_;
    auto key = read_name("key", kMaxRegistryKeyUnits);
    if (!key) return std::move(key).error();
    if (key->empty()) return damaged(key_at, "the key is empty");
    entry.key = std::move(*key);
    DIRMAIL_TRY(expect(';', "after the key"));
    auto value = read_name("value name", kMaxRegistryValueNameUnits);
    if (!value) return std::move(value).error();
    entry.value_name = std::move(*value);
    DIRMAIL_TRY(expect(';', "after the value name"));
    const std::size_t type_at = pos_;
    auto type = read_u32("type");
    if (!type) return std::move(type).error();
    if (!known_type(*type)) return damaged(type_at, "unknown value type " + std::to_string(*type));
    entry.type = static_cast<RegistryType>(*type);
    DIRMAIL_TRY(expect(';', "after the type"));
    const std::size_t size_at = pos_;
    auto size = read_u32("size");
    if (!size) return std::move(size).error();
    DIRMAIL_TRY(expect(';', "after the size"));
    if (*size > kMaxRegistryDataBytes) {
      return make_error(ErrorCode::limit_exceeded, at(size_at) + "size " + std::to_string(*size) + " is larger than " +
                                                       std::to_string(kMaxRegistryDataBytes));
    }
    if (*size > file_.size() - pos_) {
      return damaged(size_at, "size " + std::to_string(*size) + " runs past the end of the file (" +
                                  std::to_string(file_.size() - pos_) + " bytes left)");
    }
    const std::size_t data_at = pos_;
    auto data = decode(entry.type, file_.substr(pos_, *size), size_at, data_at);
    if (!data) return std::move(data).error();
    entry.data = std::move(*data);
    pos_ += *size;
    DIRMAIL_TRY(expect(']', "to close the entry"));
    return entry;
  }

  std::string_view file_;
  std::size_t pos_ = 0;
  std::size_t entry_ = 0;  // 1-based; 0 while in the header
};

Error unwritable(std::size_t index, std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "entry " + std::to_string(index + 1) + ": " + std::string(why));
}

// `text` as a NUL-terminated UTF-16LE string, or why it cannot be one.
std::optional<std::string> encode_name(std::string_view text, std::size_t max_units, std::string& why) {
  if (!valid_utf8(text)) {
    why = "is not UTF-8";
    return std::nullopt;
  }
  if (text.find('\0') != std::string_view::npos) {
    why = "contains a NUL";
    return std::nullopt;
  }
  if (detail::utf16_length(text) > max_units) {
    why = "is longer than " + std::to_string(max_units) + " characters";
    return std::nullopt;
  }
  return detail::utf8_to_utf16le(text) + std::string(2, '\0');
}

Result<std::string> encode_data(const RegistryPolEntry& entry, std::size_t index) {
  std::string why;
  switch (entry.type) {
    case RegistryType::String:
    case RegistryType::ExpandString: {
      const auto* text = std::get_if<std::string>(&entry.data);
      if (text == nullptr) return unwritable(index, "string type without text data");
      auto encoded = encode_name(*text, kMaxRegistryDataBytes / 2 - 1, why);
      if (!encoded) return unwritable(index, "the text " + why);
      return std::move(*encoded);
    }
    case RegistryType::MultiString: {
      const auto* strings = std::get_if<std::vector<std::string>>(&entry.data);
      if (strings == nullptr) return unwritable(index, "REG_MULTI_SZ without a list of strings");
      std::string out;
      for (const std::string& s : *strings) {
        if (s.empty()) return unwritable(index, "REG_MULTI_SZ cannot hold an empty string");
        auto encoded = encode_name(s, kMaxRegistryDataBytes / 2, why);
        if (!encoded) return unwritable(index, "a string " + why);
        out += *encoded;
      }
      out += std::string(2, '\0');
      if (out.size() > kMaxRegistryDataBytes) return unwritable(index, "the data is too large");
      return out;
    }
    case RegistryType::Dword:
    case RegistryType::DwordBigEndian:
    case RegistryType::Qword: {
      const auto* n = std::get_if<std::uint64_t>(&entry.data);
      if (n == nullptr) return unwritable(index, "number type without a number");
      if (entry.type != RegistryType::Qword && *n > 0xFFFFFFFFu)
        return unwritable(index, "number too large for 32 bits");
      std::string out;
      put_le(out, *n, entry.type == RegistryType::Qword ? 8 : 4);
      if (entry.type == RegistryType::DwordBigEndian) std::reverse(out.begin(), out.end());
      return out;
    }
    case RegistryType::Binary:
    case RegistryType::None: {
      const auto* bytes = std::get_if<RegistryBytes>(&entry.data);
      if (bytes == nullptr) return unwritable(index, "binary type without bytes");
      if (bytes->bytes.size() > kMaxRegistryDataBytes) return unwritable(index, "the data is too large");
      return bytes->bytes;
    }
  }
  return unwritable(index, "unknown value type");
}

void put_char(std::string& out, char c) {
  out += c;
  out += '\0';
}

bool is_instruction(std::string_view name, std::string_view instruction) { return istarts_with(name, instruction); }

std::vector<std::string> names_in(const RegistryData& data) {
  std::vector<std::string> names;
  if (const auto* text = std::get_if<std::string>(&data)) {
    for (std::string_view name : split(*text, ';')) {
      if (!name.empty()) names.emplace_back(name);
    }
  }
  return names;
}

}  // namespace

std::string_view to_string(RegistryType type) {
  switch (type) {
    case RegistryType::None: return "REG_NONE";
    case RegistryType::String: return "REG_SZ";
    case RegistryType::ExpandString: return "REG_EXPAND_SZ";
    case RegistryType::Binary: return "REG_BINARY";
    case RegistryType::Dword: return "REG_DWORD";
    case RegistryType::DwordBigEndian: return "REG_DWORD_BIG_ENDIAN";
    case RegistryType::MultiString: return "REG_MULTI_SZ";
    case RegistryType::Qword: return "REG_QWORD";
  }
  return "REG_UNKNOWN";
}

Result<std::vector<RegistryPolEntry>> read_registry_pol(std::string_view file) { return PolReader(file).read(); }

Result<std::string> write_registry_pol(std::span<const RegistryPolEntry> entries) {
  if (entries.size() > kMaxRegistryPolEntries) {
    return make_error(ErrorCode::invalid_argument, "more than " + std::to_string(kMaxRegistryPolEntries) + " entries");
  }
  std::string out(kSignature);
  put_le(out, kVersion, 4);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const RegistryPolEntry& entry = entries[i];
    if (!known_type(static_cast<std::uint32_t>(entry.type))) return unwritable(i, "unknown value type");
    if (entry.key.empty()) return unwritable(i, "the key is empty");
    std::string why;
    auto key = encode_name(entry.key, kMaxRegistryKeyUnits, why);
    if (!key) return unwritable(i, "the key " + why);
    auto value = encode_name(entry.value_name, kMaxRegistryValueNameUnits, why);
    if (!value) return unwritable(i, "the value name " + why);
    auto data = encode_data(entry, i);
    if (!data) return std::move(data).error();
    put_char(out, '[');
    out += *key;
    put_char(out, ';');
    out += *value;
    put_char(out, ';');
    put_le(out, static_cast<std::uint32_t>(entry.type), 4);
    put_char(out, ';');
    put_le(out, data->size(), 4);
    put_char(out, ';');
    out += *data;
    put_char(out, ']');
    if (out.size() > kMaxRegistryPolBytes) {
      return make_error(ErrorCode::invalid_argument, "the file would be larger than " +
                                                         std::to_string(kMaxRegistryPolBytes / (1024 * 1024)) + " MiB");
    }
  }
  return out;
}

RegistryInstruction instruction_of(const RegistryPolEntry& entry) {
  const std::string_view name = entry.value_name;
  if (name.empty()) return {RegistryAction::CreateKey, {}};
  if (!name.starts_with("**")) return {RegistryAction::SetValue, {std::string(name)}};
  if (is_instruction(name, "**delvals.")) return {RegistryAction::DeleteAllValues, {}};
  if (is_instruction(name, "**del.")) return {RegistryAction::DeleteValue, {std::string(name.substr(6))}};
  if (is_instruction(name, "**soft.")) return {RegistryAction::SetValueIfAbsent, {std::string(name.substr(7))}};
  if (iequals(name, "**DeleteValues")) return {RegistryAction::DeleteValues, names_in(entry.data)};
  if (iequals(name, "**DeleteKeys")) return {RegistryAction::DeleteKeys, names_in(entry.data)};
  if (iequals(name, "**SecureKey")) return {RegistryAction::SecureKey, {}};
  // Another "**" name is a value named so: the registry allows it.
  return {RegistryAction::SetValue, {std::string(name)}};
}

}  // namespace dirmail::config
