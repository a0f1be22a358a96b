/* N GETVERSION calls on the backdoor port: under `vmt sim`, N emulated calls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	uint32_t ok = 0;
	for (long i = 0; i < n; i++) {
		uint32_t a = 0x564D5868, b = ~0x564D5868u, c = 10, d = 0x5658;
		__asm__ volatile("inl %%dx, %%eax" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) :: "memory");
		ok += b == 0x564D5868;
	}
	printf("%u of %ld answered\n", ok, n);
	return ok == (uint32_t)n ? 0 : 1;
}
