package dev.berth.image;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Dockerfile (of the subset berth builds) says, evaluated: the base image, one file layer per COPY/ADD in
 * order, and the container configuration the Dockerfile sets (what it does not set is inherited from the base).
 *
 * @param base the base image reference, or null for {@code FROM scratch}
 * @param platform "os/arch[/variant]" from {@code FROM --platform}, or null
 * @param copies one entry per COPY/ADD, in order; each becomes one layer
 * @param env ENV set by the Dockerfile, in order
 * @param labels LABEL set by the Dockerfile, in order
 * @param exposedPorts EXPOSE, as "PORT/tcp" or "PORT/udp"
 * @param volumes VOLUME paths
 * @param workdir the last WORKDIR, or null
 * @param user the last USER, or null
 * @param entrypoint ENTRYPOINT, or null when not set
 * @param cmd CMD, or null when not set
 */
public record BuildPlan(
    String base,
    String platform,
    List<Copy> copies,
    Map<String, String> env,
    Map<String, String> labels,
    Set<String> exposedPorts,
    Set<String> volumes,
    String workdir,
    String user,
    List<String> entrypoint,
    List<String> cmd) {

  /**
   * One COPY or ADD.
   *
   * @param line the line of the instruction in the Dockerfile
   * @param instruction "COPY" or "ADD"
   * @param sources context-relative source paths or patterns, as written (after substitution)
   * @param destination absolute destination in the image (relative ones resolved against WORKDIR)
   * @param destinationIsFolder true when the destination ends with '/' (or is "." etc.)
   * @param chown numeric "uid:gid", or null
   * @param chmod octal mode such as "755", or null
   */
  public record Copy(
      int line,
      String instruction,
      List<String> sources,
      String destination,
      boolean destinationIsFolder,
      String chown,
      String chmod) {}
}
