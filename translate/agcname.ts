import { AGC_NAME_ANNOTATION } from "../model/kinds";
import { KubeObject } from "./types";

/** The AGC name of one of our CRs: the annotation the provider writes, else the object name. */
export function agcName(o: KubeObject): string {
  return o.metadata.annotations?.[AGC_NAME_ANNOTATION] ?? o.metadata.name;
}
