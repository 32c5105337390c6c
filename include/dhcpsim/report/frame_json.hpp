#pragma once
// Decoded frames as JSON: what `dhcpsim decode` prints per frame and what the JSONL event
// log embeds for a frame. Deterministic (same frame -> same JSON), every string ASCII.
//
// Shape (an nlohmann::json object dumps its keys sorted; frame_to_ordered_json keeps them
// in the order listed here, outer layer first):
//   frame_to_json: {"eth": {"src","dst","type":"0x0800"}, then one of
//     "arp":  {"op","htype","ptype","hlen","plen","sha","spa","tha","tpa"}
//     "ipv4": {"src","dst","ttl","protocol","id","tos","checksum","total_length",
//              "header_length","dont_fragment","more_fragments","fragment_offset"
//              [,"options": hex]}
//       with "udp": {"src_port","dst_port","length","checksum" (null: none sent)}
//            and "dhcp": dhcp_to_json(...) or "dns": {...}
//       or   "icmp": {"type","code","checksum",("identifier","sequence") | "rest","data"}
//     "payload": {"length", "hex"} for bytes no decoder claims (other EtherTypes or IP
//       protocols, IPv4 fragments, UDP to other ports);
//   [,"trailer": hex] bytes after the L3 packet (Ethernet padding)}.
//   dhcp_to_json: {"op","htype","hlen","hops","xid":"0x...","secs","flags","broadcast",
//     "ciaddr","yiaddr","siaddr","giaddr","chaddr" (first hlen bytes, "aa:bb:.."),
//     "sname","file" (text up to the first NUL; "sname_hex"/"file_hex" instead when the
//     field is not printable text), "message_type" ("DHCPDISCOVER".., absent for BOOTP),
//     "options": [one object per option in wire order], "padding": bytes after End
//     [,"padding_hex" when they are not all zero][,"pad_options": Pad bytes before End]
//     [,"end": false when the options field has no End]}.
//   An option: {"code", "name" (dhcp_option_name; absent for codes without one),
//     "length" (after RFC 3396 concatenation), "value"} plus "instances" when split over
//     several instances and "area": "file" | "sname" when it sits in an overloaded field.
//     Typed values: addresses as "a.b.c.d" (lists as arrays), times as integer seconds,
//     numbers as integers, text as strings, 53 as "DHCPACK", 55 as an array of codes, 61
//     as "01:02:66:..", 82 as {"circuit_id","remote_id" (when present, "aa:bb.."),
//     "suboptions": [{"code","value"}]}, 121 as [{"destination":"a.b.c.d/n","router"}],
//     81 as {"flags","rcode1","rcode2","name"}, 119 as an array of names.
//     Any other value, or one that does not decode as its type, is plain lowercase hex
//     with "encoding": "hex" (and "error" for a malformed option 82).

#include <nlohmann/json.hpp>

#include "dhcpsim/wire/dhcp.hpp"
#include "dhcpsim/wire/frame.hpp"

namespace dhcpsim::report {

nlohmann::json frame_to_json(const wire::DecodedFrame& frame);
/// The same, keys in wire order (for people reading `dhcpsim decode` output).
nlohmann::ordered_json frame_to_ordered_json(const wire::DecodedFrame& frame);
nlohmann::json dhcp_to_json(const wire::DhcpMessage& message);
/// One option's object as in dhcp_to_json's "options" (without "instances"/"area").
nlohmann::json dhcp_option_to_json(uint8_t code, wire::ConstBytes value);

/// "0a1b2c" (lowercase, no separators).
std::string to_hex(wire::ConstBytes bytes);
/// "0a:1b:2c".
std::string to_colon_hex(wire::ConstBytes bytes);

}  // namespace dhcpsim::report
