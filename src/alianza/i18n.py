"""Fixed words of the manuscript outputs in Spanish and English.

Everything about the instrument (construct names, item wording, category labels)
comes from the codebook; what lives here is the vocabulary of the tables and
figures themselves: titles, column headers, notes. Statistical symbols follow
APA 7 (italic Latin letters, upright Greek letters): in these strings `<i>x</i>`
marks italics, which each writer turns into its own markup.
"""
from __future__ import annotations

LANGUAGES = ("es", "en")

STRINGS: dict[str, dict[str, str]] = {
    # table furniture
    "table": {"es": "Tabla", "en": "Table"},
    "figure": {"es": "Figura", "en": "Figure"},
    "note": {"es": "Nota.", "en": "Note."},
    "yes": {"es": "Sí", "en": "Yes"},
    "no": {"es": "No", "en": "No"},
    "missing": {"es": "Sin dato", "en": "Missing"},
    "total": {"es": "Total", "en": "Total"},
    "partial": {"es": "Parcial", "en": "Partial"},
    "continued": {"es": "Continúa en la página siguiente", "en": "Continued on next page"},
    "and": {"es": "y", "en": "and"},
    # table titles: APA 7 title case in English; Spanish keeps sentence case (RAE)
    "title.sample_description": {"es": "Características de la muestra por ola", "en": "Sample Characteristics by Wave"},
    "title.data_quality": {"es": "Calidad de los datos por ola", "en": "Data Quality by Wave"},
    "title.item_descriptives": {"es": "Estadísticos descriptivos de los ítems", "en": "Item Descriptive Statistics"},
    "title.reliability": {"es": "Confiabilidad y validez convergente de los constructos",
                          "en": "Reliability and Convergent Validity of the Constructs"},
    "title.discriminant": {"es": "Validez discriminante: criterio de Fornell-Larcker y razón HTMT",
                           "en": "Discriminant Validity: Fornell-Larcker Criterion and HTMT Ratio"},
    "title.cfa_loadings": {"es": "Cargas factoriales del análisis factorial confirmatorio",
                           "en": "Factor Loadings of the Confirmatory Factor Analysis"},
    "title.fit_indices": {"es": "Índices de ajuste de los modelos", "en": "Fit Indices of the Models"},
    "title.hypotheses": {"es": "Contraste de hipótesis del modelo estructural",
                         "en": "Hypothesis Tests of the Structural Model"},
    "title.indirect_effects": {"es": "Efectos indirectos con intervalos de confianza bootstrap",
                               "en": "Indirect Effects With Bootstrap Confidence Intervals"},
    "title.model_comparison": {"es": "Comparación de modelos alternativos", "en": "Comparison of Alternative Models"},
    "title.invariance": {"es": "Invarianza de medición entre grupos ({group})",
                         "en": "Measurement Invariance Across Groups ({group})"},
    # column headers
    "col.characteristic": {"es": "Característica", "en": "Characteristic"},
    "col.wave": {"es": "Ola", "en": "Wave"},
    "col.file": {"es": "Archivo", "en": "File"},
    "col.rows_in": {"es": "Filas recibidas", "en": "Rows received"},
    "col.rows_kept": {"es": "Filas válidas", "en": "Rows kept"},
    "col.rows_quarantined": {"es": "Filas en cuarentena", "en": "Rows quarantined"},
    "col.item": {"es": "Ítem", "en": "Item"},
    "col.wording": {"es": "Enunciado", "en": "Wording"},
    "col.construct": {"es": "Constructo", "en": "Construct"},
    "col.model": {"es": "Modelo", "en": "Model"},
    "col.hypothesis": {"es": "Hipótesis", "en": "Hypothesis"},
    "col.path": {"es": "Relación", "en": "Path"},
    "col.effect": {"es": "Efecto", "en": "Effect"},
    "col.supported": {"es": "¿Se apoya?", "en": "Supported?"},
    "col.decision": {"es": "Decisión", "en": "Decision"},
    "col.k": {"es": "<i>k</i>", "en": "<i>k</i>"},
    "col.n_items": {"es": "Ítems", "en": "Items"},
    "col.skew": {"es": "Asimetría", "en": "Skewness"},
    "col.kurtosis": {"es": "Curtosis", "en": "Kurtosis"},
    "col.r_drop": {"es": "<i>r</i><sub>it</sub>", "en": "<i>r</i><sub>it</sub>"},
    "col.alpha_drop": {"es": "α si se elimina", "en": "α if deleted"},
    "col.ci": {"es": "IC {level}%", "en": "{level}% CI"},
    "col.ll": {"es": "LI", "en": "LL"},
    "col.ul": {"es": "LS", "en": "UL"},
    "col.comparison": {"es": "Comparación", "en": "Comparison"},
    "col.level": {"es": "Nivel", "en": "Level"},
    # sample description
    "firms": {"es": "Empresas", "en": "Firms"},
    "mean_sd": {"es": "<i>M</i> (<i>DE</i>)", "en": "<i>M</i> (<i>SD</i>)"},
    "n_pct": {"es": "<i>n</i> (%)", "en": "<i>n</i> (%)"},
    # quarantine reasons (alianza.quality.REASONS)
    "reason.empty_row": {"es": "Vacía", "en": "Empty"},
    "reason.missing_id": {"es": "Sin folio", "en": "No ID"},
    "reason.exact_duplicate": {"es": "Duplicada", "en": "Duplicate"},
    "reason.conflicting_duplicate": {"es": "Folio repetido", "en": "Conflicting ID"},
    "reason.out_of_range": {"es": "Fuera de rango", "en": "Out of range"},
    "reason.failed_attention_check": {"es": "Atención", "en": "Attention check"},
    "reason.straight_lining": {"es": "Respuesta uniforme", "en": "Straight-lining"},
    "reason.partial_complete": {"es": "Incompleta", "en": "Partial"},
    # invariance levels
    "inv.configural": {"es": "Configural", "en": "Configural"},
    "inv.metric": {"es": "Métrica (cargas)", "en": "Metric (loadings)"},
    "inv.scalar": {"es": "Escalar (interceptos)", "en": "Scalar (intercepts)"},
    "inv.strict": {"es": "Estricta (residuales)", "en": "Strict (residuals)"},
    "inv.held": {"es": "Se sostiene", "en": "Holds"},
    "inv.not_held": {"es": "No se sostiene", "en": "Does not hold"},
    # notes
    "note.p_stars": {"es": "*<i>p</i> < .05. **<i>p</i> < .01. ***<i>p</i> < .001.",
                     "en": "*<i>p</i> < .05. **<i>p</i> < .01. ***<i>p</i> < .001."},
    "note.sample_description": {
        "es": "Empresas de cada ola después de la depuración. Variables categóricas: <i>n</i> (%); "
              "variables numéricas: <i>M</i> (<i>DE</i>).",
        "en": "Firms of each wave after data cleaning. Categorical variables: <i>n</i> (%); "
              "numeric variables: <i>M</i> (<i>SD</i>).",
    },
    "note.data_quality": {
        "es": "Las filas en cuarentena se excluyen del análisis y se conservan con su motivo en "
              "data/processed/<ola>.quarantine.csv.",
        "en": "Quarantined rows are left out of the analysis and kept with their reason in "
              "data/processed/<wave>.quarantine.csv.",
    },
    "note.item_descriptives": {
        "es": "<i>N</i> = {n}. <i>M</i> = media; <i>DE</i> = desviación estándar; <i>r</i><sub>it</sub> = "
              "correlación ítem-total corregida; "
              "α si se elimina = alfa de Cronbach del constructo sin el ítem. Escala de respuesta de {lo} "
              "({lo_label}) a {hi} ({hi_label}). (I) = ítem inverso, recodificado antes del análisis.",
        "en": "<i>N</i> = {n}. <i>M</i> = mean; <i>SD</i> = standard deviation; <i>r</i><sub>it</sub> = "
              "corrected item-total correlation; "
              "α if deleted = Cronbach's alpha of the construct without the item. Response scale from {lo} "
              "({lo_label}) to {hi} ({hi_label}). (R) = reverse-keyed item, recoded before the analysis.",
    },
    "reverse_mark": {"es": "(I)", "en": "(R)"},
    "note.reliability": {
        "es": "<i>N</i> = {n}. α = alfa de Cronbach con su intervalo de confianza al {level}%; ω = omega de McDonald "
              "(varianza total observada); CR = confiabilidad compuesta; AVE = varianza media extraída. "
              "Criterios: α, ω y CR ≥ {alpha_min}; AVE ≥ {ave_min} (Nunnally, 1978; Fornell y Larcker, 1981).",
        "en": "<i>N</i> = {n}. α = Cronbach's alpha with its {level}% confidence interval; ω = McDonald's omega "
              "(observed total variance); CR = composite reliability; AVE = average variance extracted. "
              "Criteria: α, ω and CR ≥ {alpha_min}; AVE ≥ {ave_min} (Nunnally, 1978; Fornell & Larcker, 1981).",
    },
    "note.discriminant": {
        "es": "<i>N</i> = {n}. Diagonal (en negritas): raíz cuadrada de la AVE; debajo de la diagonal: "
              "correlaciones entre "
              "constructos estimadas en el AFC; arriba de la diagonal: razón heterorrasgo-monorrasgo (HTMT). "
              "Criterios: la raíz de la AVE mayor que las correlaciones de su fila y columna (Fornell y "
              "Larcker, 1981); HTMT < {htmt_max} (Henseler et al., 2015).",
        "en": "<i>N</i> = {n}. Diagonal (bold): square root of the AVE; below the diagonal: correlations between "
              "constructs "
              "estimated in the CFA; above the diagonal: heterotrait-monotrait ratio (HTMT). Criteria: the square "
              "root of the AVE greater than the correlations in its row and column (Fornell & Larcker, 1981); "
              "HTMT < {htmt_max} (Henseler et al., 2015).",
    },
    "note.discriminant_ci": {
        "es": " Límite superior máximo del IC bootstrap al {level}% de la HTMT ({n_boot} remuestras): {upper}.",
        "en": " Largest upper bound of the {level}% bootstrap CI of HTMT ({n_boot} resamples): {upper}.",
    },
    "note.cfa_loadings": {
        "es": "<i>N</i> = {n}; estimador {estimator}. <i>B</i> = carga no estandarizada; <i>EE</i> = error estándar; "
              "β = carga estandarizada. La primera carga de cada constructo se fija en 1 para darle escala "
              "(—: sin error estándar). Ajuste del modelo: χ²({df}) = {chisq}, <i>p</i> {p}; CFI = {cfi}; "
              "RMSEA = {rmsea}; SRMR = {srmr}.",
        "en": "<i>N</i> = {n}; {estimator} estimator. <i>B</i> = unstandardized loading; <i>SE</i> = standard error; "
              "β = standardized loading. The first loading of each construct is fixed to 1 to set its scale "
              "(—: no standard error). Model fit: χ²({df}) = {chisq}, <i>p</i> {p}; CFI = {cfi}; RMSEA = {rmsea}; "
              "SRMR = {srmr}.",
    },
    "note.fit_indices": {
        "es": "<i>N</i> = {n}; estimador {estimator}. χ² = estadístico de la prueba de ajuste; <i>gl</i> = grados de "
              "libertad; CFI = índice de ajuste comparativo; TLI = índice de Tucker-Lewis; RMSEA = error "
              "cuadrático medio de aproximación con su IC al 90%; SRMR = raíz del residuo cuadrático medio "
              "estandarizado; AIC y BIC = criterios de información de Akaike y bayesiano. Criterios de buen "
              "ajuste: {cutoffs} (Hu y Bentler, 1999).",
        "en": "<i>N</i> = {n}; {estimator} estimator. χ² = test statistic of model fit; <i>df</i> = degrees of "
              "freedom; "
              "CFI = comparative fit index; TLI = Tucker-Lewis index; RMSEA = root mean square error of "
              "approximation with its 90% CI; SRMR = standardized root mean square residual; AIC and BIC = "
              "Akaike and Bayesian information criteria. Criteria of good fit: {cutoffs} (Hu & Bentler, 1999).",
    },
    "note.hypotheses": {
        "es": "<i>N</i> = {n}. <i>B</i> = coeficiente no estandarizado; <i>EE</i> = error estándar; β = coeficiente "
              "estandarizado; IC = intervalo de confianza al {level}% de <i>B</i>.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized coefficient; <i>SE</i> = standard error; β = "
              "standardized coefficient; "
              "CI = {level}% confidence interval of <i>B</i>.",
    },
    "note.indirect_effects": {
        "es": "<i>N</i> = {n}. <i>B</i> = efecto indirecto no estandarizado; <i>EE</i> = error estándar "
              "bootstrap; β = efecto "
              "estandarizado; IC = intervalo {ci_type} al {level}% con {n_boot} remuestras bootstrap "
              "(semilla {seed}). Un intervalo que no incluye el cero indica un efecto indirecto significativo.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized indirect effect; <i>SE</i> = bootstrap standard error; "
              "β = standardized "
              "effect; CI = {level}% {ci_type} interval from {n_boot} bootstrap resamples (seed {seed}). An "
              "interval that excludes zero indicates a significant indirect effect.",
    },
    "note.model_comparison": {
        "es": "<i>N</i> = {n}. ΔAIC y ΔBIC = diferencia con el menor valor entre los modelos (valores menores indican "
              "mejor balance entre ajuste y parsimonia). Δχ², Δ<i>gl</i> y <i>p</i> = prueba de diferencia de χ² "
              "del modelo frente al modelo más general en el que está anidado (columna Comparación).",
        "en": "<i>N</i> = {n}. ΔAIC and ΔBIC = difference from the smallest value among the models (lower values "
              "indicate a better balance of fit and parsimony). Δχ², Δ<i>df</i> and <i>p</i> = chi-square difference "
              "test of the model against the more general model it is nested in (Comparison column).",
    },
    "note.indirect_effects_wald": {
        "es": "<i>N</i> = {n}. <i>B</i> = efecto indirecto no estandarizado; <i>EE</i> = error estándar (método "
              "delta); "
              "β = efecto estandarizado; IC = intervalo de Wald al {level}%.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized indirect effect; <i>SE</i> = standard error (delta method); "
              "β = standardized effect; CI = {level}% Wald interval.",
    },
    "note.invariance": {
        "es": "Cada nivel añade restricciones de igualdad entre grupos al anterior. Δ = cambio respecto del "
              "nivel anterior. Criterio: ΔCFI ≥ {dcfi} y ΔRMSEA ≤ {drmsea} (Chen, 2007; Cheung y Rensvold, 2002).",
        "en": "Each level adds equality constraints across groups to the previous one. Δ = change from the "
              "previous level. Criterion: ΔCFI ≥ {dcfi} and ΔRMSEA ≤ {drmsea} (Chen, 2007; Cheung & Rensvold, 2002).",
    },
    "note.synthetic": {
        "es": "Datos sintéticos de ejemplo incluidos con el programa; no describen empresas reales.",
        "en": "Synthetic example data bundled with the software; they do not describe real firms.",
    },
    # survey design (sampling weights, clusters): the quarantine reason, sentences appended to a table's note
    "reason.invalid_design": {"es": "Ponderación o conglomerado inválido", "en": "Invalid weight or cluster"},
    "note.design_weighted": {
        "es": "Estimaciones ponderadas con los factores de expansión ({weights}).",
        "en": "Estimates weighted by the sampling weights ({weights}).",
    },
    "note.design_cluster": {
        "es": "Errores estándar y χ² escalado robustos a conglomerados ({n_clusters} conglomerados de {cluster}).",
        "en": "Standard errors and scaled χ² robust to clustering ({n_clusters} clusters of {cluster}).",
    },
    "note.design_weighted_sample": {
        "es": "Entre corchetes, estimaciones ponderadas con los factores de expansión ({weights}): porcentaje, "
              "o <i>M</i> (<i>DE</i>); junto a Empresas, la suma de las ponderaciones (empresas que la muestra "
              "representa).",
        "en": "In brackets, estimates weighted by the sampling weights ({weights}): percentage, or <i>M</i> "
              "(<i>SD</i>); beside Firms, the sum of the weights (the firms the sample stands for).",
    },
    "note.design_strata": {
        "es": "Estratos de muestreo ({strata}) descritos, no usados en la estimación.",
        "en": "Sampling strata ({strata}) described, not used in the estimation.",
    },
    "note.design_bootstrap": {
        "es": "El bootstrap remuestrea conglomerados completos, con las ponderaciones de sus filas.",
        "en": "The bootstrap resamples whole clusters, with their rows' weights.",
    },
    "note.design_bootstrap_weights": {
        "es": "El bootstrap remuestrea filas, cada una con su ponderación.",
        "en": "The bootstrap resamples rows, each with its weight.",
    },
    "note.design_unweighted_validity": {
        "es": "Confiabilidad y validez calculadas sin ponderar (la confiabilidad ponderada no es un "
              "procedimiento estándar): describen a las empresas encuestadas, no a la población.",
        "en": "Reliability and validity computed unweighted (weighted reliability is not a standard "
              "procedure): they describe the firms surveyed, not the population.",
    },
    # fit cut-off phrases
    "cut.cfi": {"es": "CFI ≥ {v}", "en": "CFI ≥ {v}"},
    "cut.tli": {"es": "TLI ≥ {v}", "en": "TLI ≥ {v}"},
    "cut.rmsea": {"es": "RMSEA ≤ {v}", "en": "RMSEA ≤ {v}"},
    "cut.srmr": {"es": "SRMR ≤ {v}", "en": "SRMR ≤ {v}"},
    # figures
    "fig.path_note": {
        "es": "Coeficientes estandarizados. Se omiten los indicadores de cada constructo.",
        "en": "Standardized coefficients. The indicators of each construct are not drawn.",
    },
    "fig.likert_note": {
        "es": "{mark} Ítem inverso: respuestas tal como se dieron (se recodifican antes del análisis).",
        "en": "{mark} Reverse-keyed item: answers as given (recoded before the analysis).",
    },
    "fig.likert_title": {"es": "Distribución de respuestas", "en": "Response distribution"},
    "fig.percent": {"es": "Porcentaje de respuestas", "en": "Percentage of responses"},
    "fig.r2": {"es": "R² = {v}", "en": "R² = {v}"},
    # report categories
    "report.data": {"es": "1. Calidad de los datos", "en": "1. Data quality"},
    "report.scales": {"es": "2. Escalas", "en": "2. Scales"},
    "report.models": {"es": "3. Modelos", "en": "3. Models"},
    "report.hypotheses": {"es": "4. Hipótesis", "en": "4. Hypotheses"},
    "report.provenance": {"es": "5. Procedencia", "en": "5. Provenance"},
}


def t_or(key: str, lang: str, fallback: str) -> str:
    """The string `key` when it is defined, else `fallback` (e.g. a quarantine reason added later)."""
    return t(key, lang) if key in STRINGS else fallback


def t(key: str, lang: str, **fields) -> str:
    """The string `key` in `lang` ('es' or 'en'), with {fields} filled in."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    text = STRINGS[key][lang]
    return text.format(**fields) if fields else text
