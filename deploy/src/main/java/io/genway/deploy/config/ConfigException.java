package io.genway.deploy.config;

/**
 * A configuration that cannot run, said in one line that names the place in the YAML ({@code path}, e.g.
 * {@code pools[1].engine.base_url}) and, where they are known, the file and the variable or flag that set the value.
 * Cheap: no stack trace, because the launcher prints the message and exits rather than reporting a bug.
 */
public final class ConfigException extends RuntimeException {
    private final String path;
    private final String problem;
    private final String source;

    public ConfigException(String path, String problem) {
        this(path, problem, null);
    }

    private ConfigException(String path, String problem, String source) {
        super(message(path, problem, source), null, false, false);
        this.path = path;
        this.problem = problem;
        this.source = source;
    }

    /** Where in the YAML: {@code gateway.port}, {@code pools[0].engine.slots}; empty for the whole file. */
    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }

    /** The same problem one level further out: a record names its field, the loader adds the section. */
    public ConfigException under(String parent) {
        if (parent.isEmpty()) return this;
        return new ConfigException(path.isEmpty() ? parent : path.startsWith("[") ? parent + path : parent + "." + path, problem, source);
    }

    /** The same problem with what set the value: a file name, {@code GENWAY_PORT}, {@code --port}. */
    public ConfigException from(String newSource) {
        return new ConfigException(path, problem, newSource);
    }

    private static String message(String path, String problem, String source) {
        String where = path.isEmpty() ? problem : path + ": " + problem;
        return source == null ? where : where + " (" + source + ")";
    }
}
