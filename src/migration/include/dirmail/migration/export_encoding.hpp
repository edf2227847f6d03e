#pragma once
// The character encoding of an account export. The original is a Japanese Windows
// product: its files are Shift_JIS (Microsoft's CP932), or UTF-8 when an admin saved
// them so, often with a byte order mark (Notepad, Excel). Conversion goes through
// src/base's iconv wrappers (charset_conversion.hpp).
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::migration {

enum class ExportEncoding { utf8, cp932 };

std::string_view to_string(ExportEncoding encoding);  // "UTF-8", "Shift_JIS (CP932)"
// "utf-8"/"utf8", "cp932"/"shift_jis"/"sjis" (any case); nullopt otherwise.
std::optional<ExportEncoding> parse_export_encoding(std::string_view name);

inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

struct EncodingDecision {
  ExportEncoding encoding = ExportEncoding::utf8;
  bool bom = false;    // a UTF-8 byte order mark starts the file (and is not content)
  std::string reason;  // why, for the dry run: "UTF-8 byte order mark", "2 of 2 ..."
};

// How to read `content` (the whole file). `forced`: the admin's choice, which wins
// (a UTF-8 BOM is still skipped). Otherwise a UTF-8 BOM says UTF-8; else the lines
// with non-ASCII bytes vote: UTF-8 when more of them are valid UTF-8 than not, else
// CP932. A vote, not "the whole file is valid UTF-8", so that one damaged line of a
// UTF-8 file is reported as that line instead of turning every Japanese name of the
// file into CP932 mojibake. A file of ASCII only reads the same either way (UTF-8).
// An error (invalid_argument) for a UTF-16 file (a UTF-16 BOM): the original never
// wrote one, and its bytes cannot be split into lines here.
Result<EncodingDecision> decide_export_encoding(std::string_view content,
                                               std::optional<ExportEncoding> forced = std::nullopt);

// One field's bytes as UTF-8; nullopt when they are not valid in `encoding` (CP932:
// a byte that starts no character, a lead byte without its trail byte, an unassigned
// code). CP932 keeps 0x5C as '\' (Windows paths), unlike JIS X 0201's yen sign.
std::optional<std::string> decode_export_text(std::string_view bytes, ExportEncoding encoding);

// UTF-8 text in `encoding`; nullopt when a character has no exact CP932 form (U+20BB7,
// emoji, U+00A5, U+301C WAVE DASH: CP932 would read back something else) or the text
// is no UTF-8.
std::optional<std::string> encode_export_text(std::string_view utf8, ExportEncoding encoding);

}  // namespace dirmail::migration
