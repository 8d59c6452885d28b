package io.genway.llm.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.genway.schemas.ChatMessage;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template rendered with Jinjava the way {@code apply_chat_template} renders it: blocks
 * trimmed ({@code trim_blocks}, {@code lstrip_blocks}), the variables {@code messages} (maps with {@code role}
 * and {@code content}), {@code add_generation_prompt}, {@code bos_token} and {@code eos_token}, and the functions
 * {@code raise_exception(message)} and {@code strftime_now(format)}. Jinjava itself brings {@code loop.*},
 * {@code namespace()}, slicing ({@code messages[1:]}, {@code messages[-1]}), {@code in}, {@code ~}, {@code is
 * defined} and the usual filters ({@code trim}, {@code length}, {@code tojson}); Python's string methods
 * ({@code strip}, {@code startswith}, {@code lower}, {@code title}, {@code split}, ...) come from
 * {@link PythonStringMethods}; {@link TemplateSource} makes whitespace control and {@code not} behave as in Jinja.
 * Known differences from Jinja: booleans print as {@code true}/{@code false} (Jinja: {@code True}/{@code False})
 * and {@code tojson} writes compact JSON (Python: {@code ", "} and {@code ": "} separators). Immutable and
 * thread-safe: each render has its own interpreter.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private static final List<ChatMessage> PROBE = List.of(new ChatMessage("user", "Hello"));
    private static final ThreadLocal<InstantSource> CLOCK = ThreadLocal.withInitial(InstantSource::system);

    private final Jinjava jinjava;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final InstantSource clock;

    private JinjaChatTemplate(String source, String bosToken, String eosToken, InstantSource clock) {
        this.source = TemplateSource.prepare(Objects.requireNonNull(source, "source"));
        this.bosToken = Objects.requireNonNull(bosToken, "bosToken");
        this.eosToken = Objects.requireNonNull(eosToken, "eosToken");
        this.clock = Objects.requireNonNull(clock, "clock");
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaConfig.newBuilder().build().getElResolver());
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                // trim_blocks and lstrip_blocks are done by TemplateSource
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withIterateOverMapKeys(true) // `for k in dict` yields keys, as in Python
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "raise_exception", JinjaChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "strftime_now", JinjaChatTemplate.class, "strftimeNow", String.class));
    }

    /** The template, checked by rendering one user message; a template that cannot fails here, naming the key. */
    public static JinjaChatTemplate compile(String source, String bosToken, String eosToken) {
        return compile(source, bosToken, eosToken, InstantSource.system());
    }

    /** @param clock what {@code strftime_now} reads */
    public static JinjaChatTemplate compile(String source, String bosToken, String eosToken, InstantSource clock) {
        JinjaChatTemplate template = new JinjaChatTemplate(source, bosToken, eosToken, clock);
        template.render(PROBE, true);
        return template;
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>();
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        bindings.put("messages", turns);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderResult result;
        CLOCK.set(clock);
        try {
            result = jinjava.renderForResult(source, bindings);
        } catch (RuntimeException e) {
            throw new ChatTemplateException(KEY + " failed: " + e.getMessage());
        } finally {
            CLOCK.remove();
        }
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) throw new ChatTemplateException(describe(fatal));
        return result.getOutput();
    }

    private static String describe(List<TemplateError> errors) {
        for (TemplateError e : errors) {
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof Raised raised) return KEY + " refused the conversation: " + raised.getMessage();
            }
        }
        return KEY + " failed: " + errors.stream()
                .map(e -> e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : ""))
                .collect(Collectors.joining("; "));
    }

    /** What the template's {@code raise_exception} throws; it reaches the caller as a {@link ChatTemplateException}. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code raise_exception(message)}, as transformers defines it for chat templates. */
    public static Object raiseException(String message) {
        throw new Raised(message);
    }

    /** {@code strftime_now(format)}: the current UTC time in Python's strftime format (the common directives). */
    public static String strftimeNow(String format) {
        var now = CLOCK.get().instant().atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'j' -> "DDD";
                default -> null;
            };
            if (pattern == null) out.append('%').append(d);
            else out.append(DateTimeFormatter.ofPattern(pattern, Locale.ROOT).format(now));
        }
        return out.toString();
    }
}
