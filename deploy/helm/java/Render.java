// Lints a chart and renders it with Helm's own code (helm-java: Helm 3.16 built as a native library, no helm
// binary needed), for the chart's tests. A single-file program (Java 17+):
//
//   java -cp "<helm-java jars>" Render.java [--name R] [--namespace N] <chart> [values.yaml[,more.yaml]] ...
//
// Each values argument is one rendering (comma-separated files are layered like helm's repeated -f); none
// renders the chart's defaults once. Prints, each section starting with a line "#### helm-render <kind> <status>
// <values>", kind being:
//   lint      `helm lint --strict` of the chart (its messages)
//   template  what `helm template` prints (the manifests, hooks included), or Helm's error
//   notes     the rendered NOTES.txt (`helm install --dry-run=client`), or Helm's error
// Exits 0 whatever was rendered; the caller judges the sections.
//
// helm-java's template returns the release's manifest without its hooks, so hooks are rendered through a copy
// of the chart: each template with a helm.sh/hook annotation is also stored as a plain file, and one added
// template renders it with `tpl` (same values, same named templates, same failures) into a ConfigMap, which is
// then replaced by the hook's own YAML.
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class Render {
  static final String MARK = "#### helm-render ";
  static final String HOOKS_DIR = "helm-render-hooks";
  static final String EXPOSER = """
      {{- range $path, $_ := .Files.Glob "%s/*" }}
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: helm-render-hook
        annotations:
          helm-render/source: {{ base $path | quote }}
      data:
        manifest: {{ tpl ($.Files.Get $path) $ | b64enc | quote }}
      {{- end }}
      """.formatted(HOOKS_DIR);
  static final Pattern EXPOSED = Pattern.compile(
      "(?s)# Source: ([^/\\n]+)/templates/zz-helm-render-hooks\\.yaml\\n.*?helm-render/source: \"([^\"]+)\".*?manifest: \"([^\"]*)\"\\n?");

  public static void main(String[] args) {
    String name = "sms-survey";
    String namespace = "default";
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--name" -> name = args[++i];
        case "--namespace" -> namespace = args[++i];
        default -> positional.add(args[i]);
      }
    }
    if (positional.isEmpty()) {
      System.err.println("usage: Render.java [--name R] [--namespace N] <chart> [values.yaml[,more.yaml]] ...");
      System.exit(2);
    }
    Path original = Paths.get(positional.get(0));
    List<String> jobs = positional.size() > 1 ? positional.subList(1, positional.size()) : List.of("");

    LintResult lint = new Helm(original).lint().strict().call();
    section("lint", lint.isFailed() ? "failed" : "ok", "", String.join("\n", lint.getMessages()));

    Path copy = withHooksExposed(original);
    final Path chart = copy.resolve(original.getFileName());

    for (String job : jobs) {
      List<Path> files = new ArrayList<>();
      for (String f : job.split(",")) if (!f.isBlank()) files.add(Paths.get(f));
      final String release = name;
      final String ns = namespace;
      run("template", job, () -> {
        TemplateCommand t = new Helm(chart).template().withName(release).withNamespace(ns);
        for (Path f : files) t = t.withValuesFile(f.toAbsolutePath());
        return unexposeHooks(t.call());
      });
      run("notes", job, () -> {
        InstallCommand install = new Helm(chart).install().withName(release).withNamespace(ns).dryRun().clientOnly();
        for (Path f : files) install = install.withValuesFile(f.toAbsolutePath());
        String output = install.call().getOutput();
        int at = output.indexOf("NOTES:\n");
        return at < 0 ? "" : output.substring(at + "NOTES:\n".length());
      });
    }
    System.out.flush();
    delete(copy);
  }

  /** A copy of the chart in a temporary directory, with its hook templates also rendered as ConfigMaps. */
  static Path withHooksExposed(Path chart) {
    try {
      Path tmp = Files.createTempDirectory("helm-render-");
      Path target = tmp.resolve(chart.getFileName());
      try (Stream<Path> files = Files.walk(chart)) {
        for (Path from : (Iterable<Path>) files::iterator) {
          Path to = target.resolve(chart.relativize(from).toString());
          if (Files.isDirectory(from)) Files.createDirectories(to);
          else Files.copy(from, to);
        }
      }
      Path hooks = Files.createDirectories(target.resolve(HOOKS_DIR));
      try (Stream<Path> templates = Files.list(target.resolve("templates"))) {
        for (Path t : (Iterable<Path>) templates::iterator) {
          if (t.toString().endsWith(".yaml") && Files.readString(t).contains("helm.sh/hook")) {
            Files.copy(t, hooks.resolve(t.getFileName()));
          }
        }
      }
      Files.writeString(target.resolve("templates/zz-helm-render-hooks.yaml"), EXPOSER);
      return tmp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces each exposing ConfigMap by the hook it carries, as `helm template` prints hooks. */
  static String unexposeHooks(String manifest) {
    Matcher m = EXPOSED.matcher(manifest);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String yaml = new String(Base64.getDecoder().decode(m.group(3)), StandardCharsets.UTF_8);
      m.appendReplacement(out, Matcher.quoteReplacement("# Source: " + m.group(1) + "/templates/" + m.group(2) + "\n" + yaml.strip() + "\n"));
    }
    m.appendTail(out);
    return out.toString();
  }

  static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  static void run(String kind, String values, Callable<String> render) {
    try {
      section(kind, "ok", values, render.call());
    } catch (Exception e) {
      section(kind, "error", values, String.valueOf(e.getMessage()));
    }
  }

  static void section(String kind, String status, String values, String body) {
    System.out.println(MARK + kind + " " + status + " " + values);
    System.out.println(body);
  }
}
