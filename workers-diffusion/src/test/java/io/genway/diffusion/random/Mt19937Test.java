package io.genway.diffusion.random;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Mt19937Test {
    @Test
    void matchesTheReferenceFirstOutputForTheDefaultSeed() {
        assertThat(Integer.toUnsignedLong(new Mt19937(5489).nextInt())).isEqualTo(3499211612L);
    }

    @Test
    void matchesTheTenThousandthOutputTheCppStandardRequires() {
        Mt19937 engine = new Mt19937(5489);
        for (int i = 1; i < 10_000; i++) engine.nextInt();
        assertThat(Integer.toUnsignedLong(engine.nextInt())).isEqualTo(4123659995L);
    }

    @Test
    void usesOnlyTheLow32BitsOfTheSeed() {
        assertThat(new Mt19937(-1).nextInt()).isEqualTo(new Mt19937(0xFFFF_FFFFL).nextInt());
    }
}
