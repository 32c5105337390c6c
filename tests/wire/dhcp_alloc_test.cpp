// Typical DHCP messages are parsed, built and encoded without touching the heap (the
// simulator parses and encodes millions of them). Counted with the AddressSanitizer
// allocator hooks, so this runs in the sanitizer build (tools/build test) and is skipped
// elsewhere.

#include <gtest/gtest.h>

#include <cstddef>

#include "dhcpsim/wire/dhcp.hpp"
#include "wire/dhcp_golden_messages.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define DHCPSIM_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DHCPSIM_HAVE_ASAN 1
#endif
#endif

#ifdef DHCPSIM_HAVE_ASAN
// From <sanitizer/allocator_interface.h> (shipped with clang, not with GCC; the symbol is
// in both runtimes).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace dhcpsim::wire {
namespace {

#ifdef DHCPSIM_HAVE_ASAN
// Only counted while `counting` is set, on the thread that set it (gtest runs tests on the
// main thread; rapidcheck and gtest do not allocate from other threads meanwhile).
volatile bool counting = false;
std::size_t allocations = 0;
void on_malloc(const volatile void*, std::size_t) {
  if (counting) ++allocations;
}
void on_free(const volatile void*) {}

struct CountAllocations {
  CountAllocations() {
    static const bool installed = [] {
      __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
      return true;
    }();
    (void)installed;
    allocations = 0;
    counting = true;
  }
  ~CountAllocations() { counting = false; }
};
#endif

// DISCOVER parse, OFFER build + encode, REQUEST parse, ACK build + encode, RELEASE parse:
// no heap allocation.
TEST(DhcpAllocations, TypicalExchangeDoesNotAllocate) {
#ifndef DHCPSIM_HAVE_ASAN
  GTEST_SKIP() << "allocation counting needs the AddressSanitizer build";
#else
  const auto discover = golden::discover().encode_to_vector();
  const auto request = golden::request().encode_to_vector();
  const auto release = golden::release().encode_to_vector();
  std::vector<std::byte> out(1500);
  DhcpMessage in;
  std::size_t total = 0;
  {
    CountAllocations count;
    auto d = DhcpMessage::parse(discover);
    ASSERT_TRUE(d);
    DhcpMessage offer = golden::server_message(DhcpMessageType::Offer, *d);
    offer.yiaddr = golden::kLeased;
    golden::set_lease_options(offer.options);
    offer.pad_to_bootp_minimum();
    offer.encode(std::span(out).first(offer.encoded_size()));
    ASSERT_TRUE(DhcpMessage::parse_into(in, request));
    ASSERT_EQ(in.options.requested_ip(), golden::kLeased);
    DhcpMessage ack = golden::server_message(DhcpMessageType::Ack, in);
    golden::set_lease_options(ack.options);
    ack.options.set_string(dhcp_option::kDomainName, "example.test");
    ack.encode(std::span(out).first(ack.encoded_size()));
    auto r = DhcpMessage::parse(release);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->options.server_id(), golden::kServer);
    auto dns = ack.options.dns_servers();  // a small_vector: inline for up to 4
    ASSERT_TRUE(dns);
    ASSERT_EQ(dns->size(), 2u);
    total = allocations;
  }
  EXPECT_EQ(total, 0u);
  // The counter itself works: a message padded to 1000 bytes spills its trailer to the heap.
  {
    CountAllocations count;
    DhcpMessage big = golden::discover();
    big.options.set_trailing_bytes(std::vector<std::byte>(700));
    total = allocations;
  }
  EXPECT_GT(total, 0u);
#endif
}

}  // namespace
}  // namespace dhcpsim::wire
