/**
 * Desktop notifications and a short tone (issue 15): only after the agent allows them with a click, which is
 * also the user gesture browsers require before a page may start audio.
 */
import { signal } from '@preact/signals';

function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export class Alerts {
  readonly permission = signal(permission());
  readonly enabled = signal(false);
  private audio: AudioContext | null = null;

  async enable(): Promise<void> {
    // Created inside the click, so the browser lets it play.
    this.audio ??= new AudioContext();
    void this.audio.resume();
    if (typeof Notification !== 'undefined' && Notification.permission !== 'granted') await Notification.requestPermission();
    this.permission.value = permission();
    this.enabled.value = true;
  }

  notify(title: string, body: string, onClick: () => void): void {
    if (!this.enabled.value) return;
    this.beep();
    if (this.permission.value !== 'granted') return;
    try {
      // Text only: a Notification renders no HTML.
      const note = new Notification(title, { body, tag: title });
      note.onclick = () => {
        window.focus();
        onClick();
        note.close();
      };
    } catch {
      // Some browsers allow notifications only from a service worker; the tone still played.
    }
  }

  private beep(): void {
    const audio = this.audio;
    if (!audio) return;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.3);
  }

  close(): void {
    void this.audio?.close();
    this.audio = null;
  }
}
