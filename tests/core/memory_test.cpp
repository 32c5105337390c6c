#include "dhcpsim/core/memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace dhcpsim::core {
namespace {

TEST(BigVector, HoldsValuesLikeAVector) {
  BigVector<uint64_t> small(100);  // below 2 MiB: plain operator new
  std::iota(small.begin(), small.end(), 0);
  BigVector<uint64_t> big(1u << 20);  // 8 MiB: an aligned huge-page block
  std::iota(big.begin(), big.end(), 7);
  EXPECT_EQ(small[99], 99u);
  EXPECT_EQ(big[(1u << 20) - 1], (1u << 20) + 6);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.data()) % (2u << 20), 0u);
}

// The helper must not change a byte: the owner may be filling the block while it runs.
TEST(PageWarmer, LeavesContentsAsTheyAre) {
  const std::size_t n = 24u << 20;
  BigVector<unsigned char> a(n / 2, 0), b(n, 0);
  for (std::size_t k = 0; k < a.size(); k += 4096) a[k] = static_cast<unsigned char>(k >> 12);
  {
    PageWarmer w;
    w.start({{a.data(), a.size()}, {b.data(), b.size()}});
    // Written while the helper may be warming the same pages.
    for (std::size_t k = 0; k < b.size(); k += 4096) b[k] = static_cast<unsigned char>(k >> 13);
    w.wait();
  }
  for (std::size_t k = 0; k < a.size(); k += 4096) ASSERT_EQ(a[k], static_cast<unsigned char>(k >> 12)) << k;
  for (std::size_t k = 0; k < b.size(); k += 4096) ASSERT_EQ(b[k], static_cast<unsigned char>(k >> 13)) << k;
  EXPECT_EQ(b[1], 0);
}

TEST(PageWarmer, EmptyAndUnalignedRangesAreHarmless) {
  std::vector<unsigned char> v(10000, 5);
  PageWarmer w;
  w.start({});
  w.start({{v.data() + 1, 100}, {v.data() + 3, 9000}, {nullptr, 0}});
  w.wait();
  w.wait();  // waiting twice is fine
  for (unsigned char c : v) ASSERT_EQ(c, 5);
}

#if defined(__linux__)
// It does what it is for: the pages of a block nobody touched are resident afterwards.
TEST(PageWarmer, FaultsInUntouchedPages) {
  const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
  const std::size_t n = 64 * page;
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto resident = [&] {
    std::vector<unsigned char> vec(n / page);
    EXPECT_EQ(mincore(p, n, vec.data()), 0);
    std::size_t r = 0;
    for (unsigned char c : vec) r += c & 1;
    return r;
  };
  ASSERT_EQ(resident(), 0u);
  {
    // Whether this kernel can at all (Linux 5.14), asked of another mapping.
    void* q = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(q, MAP_FAILED);
    const bool supported = madvise(q, page, 23 /* MADV_POPULATE_WRITE */) == 0;
    munmap(q, page);
    if (!supported) {
      munmap(p, n);
      GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux < 5.14)";
    }
  }
  {
    PageWarmer w;
    w.start({{p, n}});
  }  // the destructor waits
  EXPECT_EQ(resident(), n / page);
  for (std::size_t k = 0; k < n; k += page) ASSERT_EQ(static_cast<unsigned char*>(p)[k], 0);
  munmap(p, n);
}
#endif

}  // namespace
}  // namespace dhcpsim::core
