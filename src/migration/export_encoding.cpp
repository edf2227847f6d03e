#include "dirmail/migration/export_encoding.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::migration {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

bool starts_utf16(std::string_view content) {
  return content.starts_with("\xFF\xFE") || content.starts_with("\xFE\xFF");
}

}  // namespace

std::string_view to_string(ExportEncoding encoding) {
  return encoding == ExportEncoding::utf8 ? "UTF-8" : "Shift_JIS (CP932)";
}

std::optional<ExportEncoding> parse_export_encoding(std::string_view name) {
  if (iequals(name, "utf-8") || iequals(name, "utf8")) return ExportEncoding::utf8;
  if (iequals(name, "cp932") || iequals(name, "shift_jis") || iequals(name, "sjis") || iequals(name, "windows-31j")) {
    return ExportEncoding::cp932;
  }
  return std::nullopt;
}

Result<EncodingDecision> decide_export_encoding(std::string_view content, std::optional<ExportEncoding> forced) {
  EncodingDecision d;
  d.bom = content.starts_with(utf8_bom);
  if (d.bom) content.remove_prefix(utf8_bom.size());
  if (forced) {
    d.encoding = *forced;
    d.reason = "as given";
    return d;
  }
  if (starts_utf16(content)) {
    return make_error(ErrorCode::invalid_argument,
                      "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 or Shift_JIS");
  }
  if (d.bom) {
    d.encoding = ExportEncoding::utf8;
    d.reason = "UTF-8 byte order mark";
    return d;
  }
  std::size_t valid = 0;
  std::size_t invalid = 0;
  for (std::size_t pos = 0; pos < content.size();) {  // line by line, without a list of them
    auto end = std::min(content.find('\n', pos), content.size());
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    if (is_ascii(line)) continue;
    ++(valid_utf8(line) ? valid : invalid);
  }
  if (valid + invalid == 0) {
    d.encoding = ExportEncoding::utf8;
    d.reason = "ASCII only";
  } else if (valid > invalid) {
    d.encoding = ExportEncoding::utf8;
    d.reason = fmt::format("{} of {} lines with non-ASCII text are UTF-8", valid, valid + invalid);
  } else {
    d.encoding = ExportEncoding::cp932;
    d.reason = fmt::format("{} of {} lines with non-ASCII text are not UTF-8", invalid, valid + invalid);
  }
  return d;
}

std::optional<std::string> decode_export_text(std::string_view bytes, ExportEncoding encoding) {
  if (is_ascii(bytes)) return std::string(bytes);  // the same in both (CP932 keeps 0x5C and 0x7E)
  if (encoding == ExportEncoding::utf8) {
    if (!valid_utf8(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  // convert_to_utf8 puts U+FFFD for each invalid sequence and goes on. No valid CP932
  // sequence maps to U+FFFD (checked over every one- and two-byte sequence with
  // glibc's CP932), so a U+FFFD in the result means bytes CP932 does not have.
  auto text = convert_to_utf8(bytes, "CP932");
  if (!text || text->find(replacement) != std::string::npos) return std::nullopt;
  return text;
}

std::optional<std::string> encode_export_text(std::string_view utf8, ExportEncoding encoding) {
  if (encoding == ExportEncoding::utf8) {
    if (!valid_utf8(utf8)) return std::nullopt;
    return std::string(utf8);
  }
  if (is_ascii(utf8)) return std::string(utf8);
  // glibc's CP932 also takes characters it has no code for and writes a look-alike
  // (U+00A5 as 0x5C '\', U+301C as U+FF5E's 0x8160): only exact round trips count.
  auto bytes = convert_from_utf8(utf8, "CP932");
  if (!bytes || decode_export_text(*bytes, ExportEncoding::cp932) != utf8) return std::nullopt;
  return bytes;
}

}  // namespace dirmail::migration
